namespace Avocado.Training.TeacherSignals;

/// <summary>What is known about one teacher on one example when its weight is chosen.</summary>
/// <param name="CrossEntropyPerByte">The teacher's cross-entropy on the example's assistant text, in nats per UTF-8
/// byte — per byte, not per token, so teachers with different tokenizers are comparable.</param>
/// <param name="MeanEntropy">Mean entropy (nats) of the teacher's next-token distributions on the assistant text.</param>
public sealed record TeacherSignal(double FixedWeight, IReadOnlyList<string> Skills, double CrossEntropyPerByte, double MeanEntropy);

/// <summary>
/// Per-example teacher weights (they sum to 1 unless every fixed weight is 0): fixed, per-skill routing (MOPD-style),
/// confidence (lower entropy → more weight, InfiFusion-style), and cross-entropy against the reference text (FuseLLM's
/// MinCE picks the best teacher; AvgCE weights all by a softmax of −CE).
/// </summary>
public static class TeacherWeights
{
    public static double[] Compute(WeightingMethod method, double temperature, IReadOnlyList<TeacherSignal> teachers, string? skill)
    {
        int n = teachers.Count;
        var w = new double[n];
        switch (method)
        {
            case WeightingMethod.Fixed:
                for (int t = 0; t < n; t++) w[t] = teachers[t].FixedWeight;
                break;
            case WeightingMethod.Skill:
                for (int t = 0; t < n; t++)
                    w[t] = skill is not null && teachers[t].Skills.Contains(skill) ? teachers[t].FixedWeight : 0;
                if (w.Sum() == 0) return Compute(WeightingMethod.Fixed, temperature, teachers, skill); // no specialist: everyone
                break;
            case WeightingMethod.Entropy:
                Softmax(w, teachers.Select(t => (t.FixedWeight, -t.MeanEntropy / temperature)).ToArray());
                break;
            case WeightingMethod.AvgCe:
                Softmax(w, teachers.Select(t => (t.FixedWeight, -t.CrossEntropyPerByte / temperature)).ToArray());
                break;
            case WeightingMethod.MinCe:
                int best = -1;
                for (int t = 0; t < n; t++)
                    if (teachers[t].FixedWeight > 0 && (best < 0 || teachers[t].CrossEntropyPerByte < teachers[best].CrossEntropyPerByte)) best = t;
                if (best >= 0) w[best] = 1;
                return w;
        }
        double sum = w.Sum();
        if (sum > 0) for (int t = 0; t < n; t++) w[t] /= sum;
        return w;
    }

    /// <summary>w_t ∝ fixed_t · exp(score_t), computed stably (max subtracted).</summary>
    static void Softmax(double[] w, (double Fixed, double Score)[] items)
    {
        double max = items.Where(i => i.Fixed > 0).Select(i => i.Score).DefaultIfEmpty(0).Max();
        for (int t = 0; t < w.Length; t++) w[t] = items[t].Fixed > 0 ? items[t].Fixed * Math.Exp(items[t].Score - max) : 0;
    }

    /// <summary>The weighting formula in words and symbols, printed at start and recorded in the run directory.</summary>
    public static string Formula(WeightingMethod method, double temperature) => method switch
    {
        WeightingMethod.Fixed => "w_t = c_t / Σ_u c_u   (c = teachers[*].weight)",
        WeightingMethod.Skill => "w_t = c_t·[skill(x) ∈ skills_t] / Σ_u c_u·[skill(x) ∈ skills_u]; fixed weights when no teacher lists skill(x)",
        WeightingMethod.Entropy => FormattableString.Invariant($"w_t = c_t·exp(−H_t(x)/τ) / Σ_u c_u·exp(−H_u(x)/τ), H = mean next-token entropy (nats), τ = {temperature}"),
        WeightingMethod.AvgCe => FormattableString.Invariant($"w_t = c_t·exp(−CE_t(x)/τ) / Σ_u c_u·exp(−CE_u(x)/τ), CE = teacher cross-entropy on the reference (nats/byte), τ = {temperature}"),
        WeightingMethod.MinCe => "w_t = 1 for t = argmin_u CE_u(x) (teacher cross-entropy on the reference, nats/byte), else 0",
        _ => throw new ArgumentOutOfRangeException(nameof(method)),
    };
}
