namespace Avocado.Training.Optim;

/// <summary>Linear warmup from lr/warmup to lr, then cosine decay to lr × minRatio at the last step.</summary>
public sealed record LrSchedule(double Lr, int WarmupSteps, int TotalSteps, double MinRatio)
{
    /// <summary>The learning rate of step <paramref name="step"/> (0-based).</summary>
    public double At(int step)
    {
        if (step < WarmupSteps) return Lr * (step + 1) / WarmupSteps;
        int decaySteps = Math.Max(1, TotalSteps - WarmupSteps - 1);
        double progress = Math.Min(1.0, (double)(step - WarmupSteps) / decaySteps);
        double cosine = 0.5 * (1 + Math.Cos(Math.PI * progress));
        return Lr * (MinRatio + (1 - MinRatio) * cosine);
    }

    public string Describe() =>
        FormattableString.Invariant($"linear warmup {WarmupSteps} steps to {Lr:G4}, cosine to {Lr * MinRatio:G4} at step {TotalSteps}");
}
