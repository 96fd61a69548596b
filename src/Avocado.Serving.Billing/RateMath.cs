namespace Avocado.Serving.Billing;

/// <summary>
/// Per-minute limits as token buckets in exact integer arithmetic (the rows are shared by every gateway, so
/// the math must not drift between processes). A bucket holds <c>limit</c> units and refills continuously at
/// <c>limit</c> per minute, like OpenAI's limits: a full minute's burst is allowed, and no more than
/// <c>limit</c> units pass in any 60 s window after a burst (a fixed window would let 2 × limit through at a
/// minute boundary). State is "used" in units × 60 000 000 (µs per minute) so refill — elapsed µs × limit — is
/// an integer, plus the time it was last written.
/// </summary>
internal static class RateMath
{
    public const long MicrosPerMinute = 60_000_000;

    /// <summary>Limits above this would let used × scale overflow a long (6 × 10¹⁶ at the maximum).</summary>
    public const long MaxLimit = 1_000_000_000;

    public readonly record struct Bucket(long Used, long At);

    /// <summary>One dimension's verdict: the state to store if everything passes, and the window to report.</summary>
    public readonly record struct Verdict(bool Allowed, bool Satisfiable, Bucket After, RateWindow Window, RateWindow Unchanged, TimeSpan RetryAfter);

    public static Verdict Evaluate(long limit, Bucket stored, long now, long units)
    {
        if (limit <= 0 || limit > MaxLimit) throw new ArgumentOutOfRangeException(nameof(limit), limit, $"must be 1..{MaxLimit}");
        if (units < 0) throw new ArgumentOutOfRangeException(nameof(units), units, "must be ≥ 0");
        Int128 capacity = (Int128)limit * MicrosPerMinute;
        Int128 used = Drain(limit, stored, now);
        Int128 after = used + (Int128)units * MicrosPerMinute;
        var unchanged = Window(limit, used);
        if (after <= capacity)
            return new Verdict(true, true, new Bucket((long)after, now), Window(limit, after), unchanged, TimeSpan.Zero);
        var retry = Micros(CeilDiv(after - capacity, limit));
        return new Verdict(false, units <= limit, new Bucket((long)used, now), unchanged, unchanged, retry);
    }

    /// <summary>
    /// Moves a bucket by <paramref name="deltaUnits"/> without a verdict (settlement correcting an estimate):
    /// positive deltas may overdraw it (the key then waits longer), negative ones never go below empty.
    /// </summary>
    public static Bucket Adjust(long limit, Bucket stored, long now, long deltaUnits)
    {
        Int128 used = Drain(limit, stored, now) + (Int128)deltaUnits * MicrosPerMinute;
        if (used < 0) used = 0;
        Int128 ceiling = (Int128)long.MaxValue / 2; // an absurd overdraw must not overflow the column
        return new Bucket((long)Int128.Min(used, ceiling), now);
    }

    private static Int128 Drain(long limit, Bucket stored, long now)
    {
        long elapsed = Math.Max(0, now - stored.At); // a clock that steps back refills nothing
        Int128 used = stored.Used - (Int128)elapsed * limit;
        return used < 0 ? 0 : used;
    }

    private static RateWindow Window(long limit, Int128 used)
    {
        Int128 capacity = (Int128)limit * MicrosPerMinute;
        long remaining = used >= capacity ? 0 : (long)((capacity - used) / MicrosPerMinute);
        return new RateWindow(limit, remaining, Micros(CeilDiv(used, limit)));
    }

    private static Int128 CeilDiv(Int128 a, long b) => (a + b - 1) / b;

    private static TimeSpan Micros(Int128 micros) => TimeSpan.FromTicks((long)Int128.Min(micros, long.MaxValue / 10) * 10);
}
