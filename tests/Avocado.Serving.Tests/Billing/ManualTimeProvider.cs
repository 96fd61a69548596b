namespace Avocado.Serving.Tests.Billing;

/// <summary>A clock tests move by hand (limits, expiry and recovery are tested without sleeping); shared by every store of a test.</summary>
public sealed class ManualTimeProvider(DateTimeOffset start) : TimeProvider
{
    private long _ticks = start.UtcTicks;

    public override DateTimeOffset GetUtcNow() => new(Interlocked.Read(ref _ticks), TimeSpan.Zero);

    public void Advance(TimeSpan by) => Interlocked.Add(ref _ticks, by.Ticks);
}
