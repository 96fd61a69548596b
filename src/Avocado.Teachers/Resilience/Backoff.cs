using System.Globalization;
using System.Net.Http.Headers;

namespace Avocado.Teachers;

// Ours, not Polly: full-jitter backoff that honours retry-after/retry-after-ms with a cap, in a few lines tests drive with FakeTimeProvider.

/// <summary>Retry delays: exponential backoff with full jitter, at least what the server asked for.</summary>
internal static class Backoff
{
    /// <summary>
    /// Delay before retry number <paramref name="retry"/> (1 = the first retry): uniform in [0, min(max, base·2^(retry−1))]
    /// ("full jitter", so many clients that failed together do not retry together), raised to the server's
    /// <c>retry-after</c> when that is longer (capped at <paramref name="maxRetryAfter"/>).
    /// </summary>
    public static TimeSpan Delay(int retry, TimeSpan baseDelay, TimeSpan maxDelay, TimeSpan? retryAfter, TimeSpan maxRetryAfter, Random random)
    {
        double cap = Math.Min(maxDelay.TotalMilliseconds, baseDelay.TotalMilliseconds * Math.Pow(2, Math.Min(retry - 1, 30)));
        var jitter = TimeSpan.FromMilliseconds(random.NextDouble() * cap);
        if (retryAfter is { } hint)
        {
            var wanted = hint < maxRetryAfter ? hint : maxRetryAfter;
            if (wanted > jitter) return wanted;
        }
        return jitter;
    }

    /// <summary>
    /// The server's requested wait: <c>retry-after-ms</c> (milliseconds, as OpenAI sends it) first, then
    /// <c>retry-after</c> as seconds (fractions allowed) or an HTTP date. Null when absent or unreadable.
    /// </summary>
    public static TimeSpan? RetryAfter(HttpResponseHeaders headers, DateTimeOffset now)
    {
        if (headers.TryGetValues("retry-after-ms", out var ms)
            && double.TryParse(ms.FirstOrDefault(), NumberStyles.Float, CultureInfo.InvariantCulture, out var millis)
            && millis >= 0 && double.IsFinite(millis))
            return TimeSpan.FromMilliseconds(millis);
        if (headers.TryGetValues("retry-after", out var values) && values.FirstOrDefault()?.Trim() is { Length: > 0 } value)
        {
            if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && seconds >= 0 && double.IsFinite(seconds))
                return TimeSpan.FromSeconds(Math.Min(seconds, TimeSpan.MaxValue.TotalSeconds / 2));
            if (DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var date))
                return date > now ? date - now : TimeSpan.Zero;
        }
        return null;
    }
}
