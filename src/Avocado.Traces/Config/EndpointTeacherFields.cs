using Avocado.Common.Config;
using Avocado.Teachers;

namespace Avocado.Traces.Config;

/// <summary>
/// The per-teacher fields of an OpenAI-compatible teacher that say how it copes with a slow or failing server:
/// concurrency, timeout, retries with backoff, circuit breaker. Durations are seconds (fractions allowed). A field not
/// given keeps the teacher's default (<see cref="OpenAiTeacherDefaults"/>); an in-process teacher takes none of them.
/// </summary>
internal static class EndpointTeacherFields
{
    const double Day = 86_400; // upper bound of every duration: a larger one is a unit mistake (milliseconds?)

    public static readonly IReadOnlyList<string> Names =
    [
        "max_concurrency", "request_timeout_seconds", "max_attempts", "retry_base_delay_seconds", "retry_max_delay_seconds",
        "max_retry_after_seconds", "breaker_threshold", "breaker_open_seconds",
    ];

    public static TeacherConfig Read(TeacherConfig config, ConfigObject t)
    {
        TimeSpan? Seconds(string field, bool positive) =>
            t.Double(field, min: positive ? double.Epsilon : 0, max: Day) is { } s ? TimeSpan.FromSeconds(s) : null;
        var read = config with
        {
            MaxConcurrency = t.Int("max_concurrency", min: 1),
            RequestTimeout = Seconds("request_timeout_seconds", positive: true),
            MaxAttempts = t.Int("max_attempts", min: 1, max: 100),
            RetryBaseDelay = Seconds("retry_base_delay_seconds", positive: false),
            RetryMaxDelay = Seconds("retry_max_delay_seconds", positive: false),
            MaxRetryAfter = Seconds("max_retry_after_seconds", positive: false),
            BreakerThreshold = t.Int("breaker_threshold", min: 1),
            BreakerOpen = Seconds("breaker_open_seconds", positive: true),
        };
        if (config.Provider != TeacherProvider.OpenAi)
        {
            object?[] values = [read.MaxConcurrency, read.RequestTimeout, read.MaxAttempts, read.RetryBaseDelay, read.RetryMaxDelay,
                read.MaxRetryAfter, read.BreakerThreshold, read.BreakerOpen];
            int given = Array.FindIndex(values, v => v is not null);
            if (given >= 0)
                throw t.Error(Names[given], "only endpoint teachers (provider \"openai\") take this; an in-process teacher batches "
                                            + "up to max_batch requests and does not retry");
            return config;
        }
        var baseDelay = read.RetryBaseDelay ?? OpenAiTeacherDefaults.BaseDelay;
        var maxDelay = read.RetryMaxDelay ?? OpenAiTeacherDefaults.MaxDelay;
        if (maxDelay < baseDelay)
            throw read.RetryMaxDelay is null
                ? t.Error("retry_base_delay_seconds", $"must be ≤ retry_max_delay_seconds (default {maxDelay.TotalSeconds:0.###}); raise that too")
                : t.Error("retry_max_delay_seconds", $"must be ≥ retry_base_delay_seconds ({baseDelay.TotalSeconds:0.###}), got {maxDelay.TotalSeconds:0.###}");
        return read;
    }
}
