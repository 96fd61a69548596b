using Avocado.Training.Optim;

namespace Avocado.Training.Tests.Optim;

public sealed class LrScheduleTests
{
    static readonly LrSchedule Schedule = new(Lr: 1e-3, WarmupSteps: 4, TotalSteps: 14, MinRatio: 0.1);

    [Fact]
    public void Warmup_climbs_linearly_from_lr_over_warmup_and_reaches_lr_on_its_last_step()
    {
        Assert.Equal([0.25e-3, 0.5e-3, 0.75e-3, 1e-3], Enumerable.Range(0, 4).Select(s => Math.Round(Schedule.At(s), 12)));
    }

    [Fact]
    public void Cosine_decay_starts_at_lr_passes_the_midpoint_and_ends_at_the_floor_on_the_last_step()
    {
        Assert.Equal(1e-3, Schedule.At(4), 12);                        // decay progress 0
        // 9 decay steps (4 … 13): step 8.5 would be the midpoint; step 13 is progress 1.
        Assert.Equal(1e-3 * (0.1 + 0.9 * 0.5 * (1 + Math.Cos(Math.PI * 4 / 9))), Schedule.At(8), 12);
        Assert.Equal(1e-4, Schedule.At(13), 12);
        Assert.Equal(1e-4, Schedule.At(40), 12);                        // past the end it stays at the floor
        var decay = Enumerable.Range(4, 10).Select(Schedule.At).ToList();
        Assert.True(decay.Zip(decay.Skip(1)).All(p => p.Second < p.First), "the decay must fall at every step");
    }

    [Fact]
    public void No_warmup_starts_at_lr()
    {
        var s = Schedule with { WarmupSteps = 0 };
        Assert.Equal(1e-3, s.At(0), 12);
        Assert.Equal(1e-4, s.At(13), 12);
    }
}
