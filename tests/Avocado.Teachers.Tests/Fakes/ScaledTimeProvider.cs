using System.Diagnostics;

namespace Avocado.Teachers.Tests.Fakes;

/// <summary>
/// Real time, running <c>speedup</c> times faster: a 2 s delay or timeout takes 2/speedup s of wall-clock time and the
/// clock advances accordingly. Lets tests use production-sized settings (seconds of retry-after, breaker cool-downs)
/// against a real server without sleeping for them.
/// </summary>
public sealed class ScaledTimeProvider(double speedup) : TimeProvider
{
    readonly DateTimeOffset start = DateTimeOffset.UtcNow;
    readonly long startTimestamp = Stopwatch.GetTimestamp();

    public override DateTimeOffset GetUtcNow() => start + Stopwatch.GetElapsedTime(startTimestamp) * speedup;

    public override long GetTimestamp() => startTimestamp + (long)((Stopwatch.GetTimestamp() - startTimestamp) * speedup);

    public override long TimestampFrequency => Stopwatch.Frequency;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
        new Scaled(System.CreateTimer(callback, state, Scale(dueTime), Scale(period)), this);

    TimeSpan Scale(TimeSpan t) => t == Timeout.InfiniteTimeSpan || t <= TimeSpan.Zero ? t : t / speedup;

    sealed class Scaled(ITimer inner, ScaledTimeProvider owner) : ITimer
    {
        public bool Change(TimeSpan dueTime, TimeSpan period) => inner.Change(owner.Scale(dueTime), owner.Scale(period));
        public void Dispose() => inner.Dispose();
        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}

/// <summary>A random source whose NextDouble is fixed (1 → every backoff takes its full cap; 0 → none).</summary>
public sealed class FixedRandom(double value) : Random
{
    public override double NextDouble() => value;
    protected override double Sample() => value;
}
