using Avocado.Serving.Billing;

namespace Avocado.Serving.Tests.Billing;

public sealed class RateMathTests
{
    private const long Second = 1_000_000;

    [Fact]
    public void A_full_minute_burst_passes_then_one_unit_per_refill_interval()
    {
        var bucket = new RateMath.Bucket(0, 0);
        for (int i = 0; i < 7; i++) // 7 per minute: 60/7 s is not a whole number of µs, the burst must still fit exactly
        {
            var v = RateMath.Evaluate(7, bucket, 0, 1);
            Assert.True(v.Allowed, $"request {i}");
            Assert.Equal(6 - i, v.Window.Remaining);
            bucket = v.After;
        }
        var denied = RateMath.Evaluate(7, bucket, 0, 1);
        Assert.False(denied.Allowed);
        Assert.True(denied.Satisfiable);
        Assert.Equal(TimeSpan.FromMicroseconds(8_571_429), denied.RetryAfter); // ⌈60/7 s⌉ in µs
        Assert.Equal(TimeSpan.FromMinutes(1), denied.Window.ResetAfter);

        long retry = (long)denied.RetryAfter.TotalMicroseconds;
        Assert.False(RateMath.Evaluate(7, bucket, retry - 1, 1).Allowed);
        Assert.True(RateMath.Evaluate(7, bucket, retry, 1).Allowed);
    }

    [Fact]
    public void No_more_than_the_limit_passes_in_any_minute_after_a_burst()
    {
        // A fixed window would allow 2 × limit around a minute boundary; the bucket allows limit + refill.
        var bucket = new RateMath.Bucket(0, 0);
        int passed = 0;
        for (long t = 0; t <= 60 * Second; t += Second / 10)
            for (int i = 0; i < 100; i++)
            {
                var v = RateMath.Evaluate(100, bucket, t, 1);
                if (!v.Allowed) break;
                bucket = v.After;
                passed++;
            }
        Assert.Equal(200, passed); // 100 at once, then 100 more refilled over the minute
    }

    [Fact]
    public void Adjust_returns_units_and_can_overdraw()
    {
        var full = RateMath.Evaluate(1000, new(0, 0), 0, 1000).After;
        var refunded = RateMath.Adjust(1000, full, 0, -400);
        Assert.Equal(400, RateMath.Evaluate(1000, refunded, 0, 0).Window.Remaining);
        Assert.Equal(0, RateMath.Adjust(1000, full, 0, -5000).Used); // never below empty
        var overdrawn = RateMath.Adjust(1000, full, 0, 500);
        var v = RateMath.Evaluate(1000, overdrawn, 0, 1);
        Assert.False(v.Allowed);
        Assert.Equal(0, v.Window.Remaining);
        Assert.Equal(TimeSpan.FromMilliseconds(30_060), v.RetryAfter); // 501 units over the limit, at 1000/min
    }

    [Fact]
    public void More_units_than_the_limit_can_never_pass()
    {
        var v = RateMath.Evaluate(1000, new(0, 0), 0, 1001);
        Assert.False(v.Allowed);
        Assert.False(v.Satisfiable);
        Assert.Throws<ArgumentOutOfRangeException>(() => RateMath.Evaluate(0, new(0, 0), 0, 1));
    }

    [Fact]
    public void A_clock_stepping_back_refills_nothing()
    {
        var used = RateMath.Evaluate(10, new(0, 100 * Second), 100 * Second, 10).After;
        Assert.False(RateMath.Evaluate(10, used, 50 * Second, 1).Allowed);
    }
}
