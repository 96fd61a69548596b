using Avocado.Common.Config;
using Avocado.Teachers;
using Avocado.Text.Chat;

namespace Avocado.Traces.Config;

/// <summary>One teacher of a run config as written; <see cref="Validate"/> builds its <see cref="TeacherConfig"/>.
/// The endpoint fields (max_concurrency … breaker_open_seconds) say how an OpenAI-compatible teacher copes with a slow
/// or failing server; durations are seconds (fractions allowed); a field not given keeps the teacher's default
/// (<see cref="OpenAiTeacherDefaults"/>); an in-process teacher takes none of them.</summary>
public sealed record TeacherFile
{
    public string? Name { get; init; }
    public string? Family { get; init; }
    public string? Provider { get; init; }
    public string? Checkpoint { get; init; }
    public string? Endpoint { get; init; }
    public string? Model { get; init; }
    public string? ApiKeyEnv { get; init; }
    public string? Revision { get; init; }
    public string? License { get; init; }
    public List<string?>? PreferredSkills { get; init; }
    public SamplingFile? Sampling { get; init; }
    public int? SamplesPerPrompt { get; init; }
    public int? TopLogprobs { get; init; }
    public string? ReasoningEffort { get; init; }
    public int? MaxBatch { get; init; }
    public string? CurrentDate { get; init; }
    public int? MaxConcurrency { get; init; }
    public double? RequestTimeoutSeconds { get; init; }
    public int? MaxAttempts { get; init; }
    public double? RetryBaseDelaySeconds { get; init; }
    public double? RetryMaxDelaySeconds { get; init; }
    public double? MaxRetryAfterSeconds { get; init; }
    public int? BreakerThreshold { get; init; }
    public double? BreakerOpenSeconds { get; init; }

    const double Day = 86_400; // upper bound of every duration: a larger one is a unit mistake (milliseconds?)

    static readonly Dictionary<string, TeacherProvider> Providers = new() { ["in-process"] = TeacherProvider.InProcess, ["openai"] = TeacherProvider.OpenAi };
    static readonly Dictionary<string, ReasoningEffort> Efforts = new()
    {
        ["low"] = Text.Chat.ReasoningEffort.Low, ["medium"] = Text.Chat.ReasoningEffort.Medium, ["high"] = Text.Chat.ReasoningEffort.High,
    };

    public TeacherConfig Validate(string path, string baseDir)
    {
        string At(string field) => Check.PathOf(path, field);
        var name = Check.RequiredText(Name, At("name"));
        var familyText = Check.RequiredText(Family, At("family"));
        string family;
        try { family = TeacherFamilies.Normalize(familyText); }
        catch (ArgumentException) { throw Check.Error(At("family"), $"'{familyText}' is not a teacher family; use one of {string.Join(", ", TeacherFamilies.All)}"); }
        var provider = Check.OneOf(Check.Required(Provider, At("provider")), At("provider"), Providers)!.Value;
        string? checkpoint = null, model = null;
        Uri? endpoint = null;
        if (provider == TeacherProvider.InProcess)
        {
            checkpoint = Check.ResolvePath(baseDir, Check.RequiredText(Checkpoint, At("checkpoint"), "the checkpoint directory of an in-process teacher"));
            if (!Directory.Exists(checkpoint)) throw Check.Error(At("checkpoint"), $"directory '{checkpoint}' does not exist");
        }
        else
        {
            var url = Check.RequiredText(Endpoint, At("endpoint"), "the API base of an OpenAI-compatible server, e.g. http://host:8000/v1");
            if (!Uri.TryCreate(url, UriKind.Absolute, out endpoint) || (endpoint.Scheme != Uri.UriSchemeHttp && endpoint.Scheme != Uri.UriSchemeHttps))
                throw Check.Error(At("endpoint"), $"'{url}' is not an http(s) URL; give the API base, e.g. http://host:8000/v1");
            model = Check.RequiredText(Model, At("model"), "the model name the server knows");
        }
        var config = new TeacherConfig
        {
            Name = name,
            Family = family,
            Provider = provider,
            Checkpoint = checkpoint,
            Endpoint = endpoint,
            Model = model,
            ApiKeyEnv = Check.Text(ApiKeyEnv, At("api_key_env")),
            Revision = Check.Text(Revision, At("revision")),
            License = Check.Text(License, At("license")) ?? TeacherFamilies.DefaultLicense(family),
            PreferredSkills = Check.Strings(PreferredSkills, At("preferred_skills")),
            Sampling = Sampling?.Validate(At("sampling")) ?? new TeacherSampling(),
            SamplesPerPrompt = Check.Range(SamplesPerPrompt, At("samples_per_prompt"), 1) ?? 1,
            TopLogprobs = Check.Range(TopLogprobs, At("top_logprobs"), 0, TeacherRequest.MaxTopLogprobs),
            ReasoningEffort = Check.OneOf(ReasoningEffort, At("reasoning_effort"), Efforts),
            MaxBatch = Check.Range(MaxBatch, At("max_batch"), 1) ?? 8,
            CurrentDate = Check.Text(CurrentDate, At("current_date")) is { } d
                ? DateOnly.TryParseExact(d, "yyyy-MM-dd", out var date) ? date : throw Check.Error(At("current_date"), $"'{d}' is not a date (yyyy-MM-dd)")
                : null,
        };
        return WithEndpointFields(config, path);
    }

    TeacherConfig WithEndpointFields(TeacherConfig config, string path)
    {
        string At(string field) => Check.PathOf(path, field);
        TimeSpan? Seconds(double? value, string field, bool positive) =>
            Check.Range(value, At(field), positive ? double.Epsilon : 0, Day) is { } s ? TimeSpan.FromSeconds(s) : null;
        var read = config with
        {
            MaxConcurrency = Check.Range(MaxConcurrency, At("max_concurrency"), 1),
            RequestTimeout = Seconds(RequestTimeoutSeconds, "request_timeout_seconds", positive: true),
            MaxAttempts = Check.Range(MaxAttempts, At("max_attempts"), 1, 100),
            RetryBaseDelay = Seconds(RetryBaseDelaySeconds, "retry_base_delay_seconds", positive: false),
            RetryMaxDelay = Seconds(RetryMaxDelaySeconds, "retry_max_delay_seconds", positive: false),
            MaxRetryAfter = Seconds(MaxRetryAfterSeconds, "max_retry_after_seconds", positive: false),
            BreakerThreshold = Check.Range(BreakerThreshold, At("breaker_threshold"), 1),
            BreakerOpen = Seconds(BreakerOpenSeconds, "breaker_open_seconds", positive: true),
        };
        if (config.Provider != TeacherProvider.OpenAi)
        {
            (string Field, object? Value)[] given =
            [
                ("max_concurrency", MaxConcurrency), ("request_timeout_seconds", RequestTimeoutSeconds), ("max_attempts", MaxAttempts),
                ("retry_base_delay_seconds", RetryBaseDelaySeconds), ("retry_max_delay_seconds", RetryMaxDelaySeconds),
                ("max_retry_after_seconds", MaxRetryAfterSeconds), ("breaker_threshold", BreakerThreshold), ("breaker_open_seconds", BreakerOpenSeconds),
            ];
            if (given.FirstOrDefault(g => g.Value is not null) is { Field: { } field })
                throw Check.Error(At(field), "only endpoint teachers (provider \"openai\") take this; an in-process teacher batches "
                                             + "up to max_batch requests and does not retry");
            return config;
        }
        var baseDelay = read.RetryBaseDelay ?? OpenAiTeacherDefaults.BaseDelay;
        var maxDelay = read.RetryMaxDelay ?? OpenAiTeacherDefaults.MaxDelay;
        if (maxDelay < baseDelay)
            throw read.RetryMaxDelay is null
                ? Check.Error(At("retry_base_delay_seconds"), $"must be ≤ retry_max_delay_seconds (default {maxDelay.TotalSeconds:0.###}); raise that too")
                : Check.Error(At("retry_max_delay_seconds"), $"must be ≥ retry_base_delay_seconds ({baseDelay.TotalSeconds:0.###}), got {maxDelay.TotalSeconds:0.###}");
        return read;
    }
}
