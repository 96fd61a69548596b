using System.Text.Json.Nodes;

namespace Avocado.Teachers;

/// <summary>A retry about to happen: which attempt failed, why, and how long the teacher waits before the next.</summary>
public sealed record TeacherRetry(string Teacher, int FailedAttempt, TeacherFailure Failure, TimeSpan Delay, TimeSpan? RetryAfter);

/// <summary>The defaults of <see cref="OpenAiTeacherOptions"/>, in one place for the options and for run configs that
/// override some of them (a config check such as "max delay ≥ base delay" needs the default of the field not given).</summary>
public static class OpenAiTeacherDefaults
{
    public const int MaxConcurrency = 16;
    public static TimeSpan RequestTimeout { get; } = TimeSpan.FromMinutes(10);
    public const int MaxAttempts = 6;
    public static TimeSpan BaseDelay { get; } = TimeSpan.FromSeconds(1);
    public static TimeSpan MaxDelay { get; } = TimeSpan.FromSeconds(60);
    public static TimeSpan MaxRetryAfter { get; } = TimeSpan.FromMinutes(2);
    public const int BreakerThreshold = 10;
    public static TimeSpan BreakDuration { get; } = TimeSpan.FromSeconds(60);
}

/// <summary>Settings of an <see cref="OpenAiTeacher"/>; validated and copied at construction.</summary>
public sealed record OpenAiTeacherOptions
{
    /// <summary>The teacher's unique name (cache keys, provenance, reports).</summary>
    public required string Name { get; init; }
    /// <summary>"qwen3", "gemma3" or "gpt-oss": picks the license default and the inline reasoning formats to expect.</summary>
    public required string Family { get; init; }
    /// <summary>API base, as OpenAI clients take it: <c>http://host:8000/v1</c> (vLLM), <c>http://host:11434/v1</c>
    /// (Ollama), <c>http://host:8080/v1</c> (llama.cpp). Requests go to <c>{Endpoint}/chat/completions</c>.</summary>
    public required Uri Endpoint { get; init; }
    /// <summary>The <c>model</c> field sent.</summary>
    public required string Model { get; init; }
    /// <summary>The served weights' version (e.g. the Hugging Face commit). Part of every cache key: change it when the
    /// server's model changes, or cached replies of the old one are reused. Default: <see cref="Model"/>.</summary>
    public string? Revision { get; init; }
    /// <summary>Default: <see cref="TeacherFamilies.DefaultLicense"/>.</summary>
    public string? License { get; init; }
    /// <summary>Sent as <c>Authorization: Bearer …</c>; null reads <see cref="ApiKeyEnvironmentVariable"/>.</summary>
    public string? ApiKey { get; init; }
    public string? ApiKeyEnvironmentVariable { get; init; }
    /// <summary>Requests in flight at once (a slot is held per attempt, not while backing off).</summary>
    public int MaxConcurrency { get; init; } = OpenAiTeacherDefaults.MaxConcurrency;
    /// <summary>Limit of one attempt, response body included (non-streaming long reasoning takes minutes).</summary>
    public TimeSpan RequestTimeout { get; init; } = OpenAiTeacherDefaults.RequestTimeout;
    /// <summary>Attempts per request, the first included; only transient failures (408, 429, 5xx, connection errors,
    /// timeouts, unreadable responses) are retried.</summary>
    public int MaxAttempts { get; init; } = OpenAiTeacherDefaults.MaxAttempts;
    public TimeSpan BaseDelay { get; init; } = OpenAiTeacherDefaults.BaseDelay;
    public TimeSpan MaxDelay { get; init; } = OpenAiTeacherDefaults.MaxDelay;
    /// <summary>Longest <c>retry-after</c> honoured; longer requests are waited this long.</summary>
    public TimeSpan MaxRetryAfter { get; init; } = OpenAiTeacherDefaults.MaxRetryAfter;
    /// <summary>Failed attempts in a row that open the circuit.</summary>
    public int BreakerThreshold { get; init; } = OpenAiTeacherDefaults.BreakerThreshold;
    /// <summary>How long an open circuit refuses calls before letting one probe through.</summary>
    public TimeSpan BreakDuration { get; init; } = OpenAiTeacherDefaults.BreakDuration;
    /// <summary>Extra request body fields (e.g. <c>repetition_penalty</c>, <c>chat_template_kwargs</c>); they replace
    /// fields of the same name.</summary>
    public IReadOnlyDictionary<string, JsonNode?>? ExtraBody { get; init; }
    /// <summary>Called before each retry's wait (logging).</summary>
    public Action<TeacherRetry>? OnRetry { get; init; }

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid setting.</summary>
    public void Validate()
    {
        string where = $"teacher '{Name}'";
        if (string.IsNullOrWhiteSpace(Name)) throw new ArgumentException("OpenAiTeacherOptions.Name is required");
        try { TeacherFamilies.Normalize(Family); }
        catch (ArgumentException) { throw new ArgumentException($"{where}: Family must be one of {string.Join(", ", TeacherFamilies.All)}, got '{Family}'"); }
        if (Endpoint is null || !Endpoint.IsAbsoluteUri || (Endpoint.Scheme != Uri.UriSchemeHttp && Endpoint.Scheme != Uri.UriSchemeHttps))
            throw new ArgumentException($"{where}: Endpoint must be an absolute http(s) URL such as http://127.0.0.1:8000/v1, got '{Endpoint}'");
        if (string.IsNullOrWhiteSpace(Model)) throw new ArgumentException($"{where}: Model (the served model's name) is required");
        if (MaxConcurrency < 1) throw new ArgumentException($"{where}: MaxConcurrency must be ≥ 1");
        if (RequestTimeout <= TimeSpan.Zero) throw new ArgumentException($"{where}: RequestTimeout must be positive");
        if (MaxAttempts < 1) throw new ArgumentException($"{where}: MaxAttempts must be ≥ 1");
        if (BaseDelay < TimeSpan.Zero || MaxDelay < BaseDelay) throw new ArgumentException($"{where}: need 0 ≤ BaseDelay ≤ MaxDelay");
        if (MaxRetryAfter < TimeSpan.Zero) throw new ArgumentException($"{where}: MaxRetryAfter must be ≥ 0");
        if (BreakerThreshold < 1) throw new ArgumentException($"{where}: BreakerThreshold must be ≥ 1");
        if (BreakDuration <= TimeSpan.Zero) throw new ArgumentException($"{where}: BreakDuration must be positive");
    }
}
