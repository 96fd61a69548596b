namespace Avocado.Serving.Billing;

public enum RateLimitKind { Requests, Tokens }

/// <summary>
/// One limit's state after a decision, for the x-ratelimit-{limit,remaining,reset}-{requests,tokens} headers.
/// Limit null means unlimited. ResetAfter is the time until the bucket is full again.
/// </summary>
public sealed record RateWindow(long? Limit, long Remaining, TimeSpan ResetAfter)
{
    public static readonly RateWindow Unlimited = new(null, long.MaxValue, TimeSpan.Zero);
}

/// <summary>
/// A rate-limit decision; denial is a result, not an exception. RetryAfter is when the same request would pass;
/// ShouldRetry is false when it never can (more tokens than the per-minute limit), for x-should-retry.
/// </summary>
public sealed record RateDecision(
    bool Allowed,
    RateLimitKind? LimitedBy,
    RateWindow Requests,
    RateWindow Tokens,
    TimeSpan RetryAfter,
    bool ShouldRetry);
