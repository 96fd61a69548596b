using Avocado.Teachers;
using Avocado.Text.Chat;
using Avocado.Data.Prompts;

namespace Avocado.Traces.Config;

/// <summary>
/// A data-engine run (<c>avocado distill generate --config FILE</c>): which teachers answer which prompts, how the
/// replies are checked and chosen, and where the dataset goes. Read and validated by <see cref="TraceConfigLoader"/>;
/// paths are absolute (resolved against the config file's directory at load).
/// </summary>
public sealed record TraceConfig
{
    public required IReadOnlyList<TeacherConfig> Teachers { get; init; }
    public required IReadOnlyList<PromptSetConfig> PromptSets { get; init; }
    /// <summary>Evaluation sets whose n-grams training prompts must not share (empty: no decontamination).</summary>
    public IReadOnlyList<PromptSetConfig> EvalSets { get; init; } = [];
    /// <summary>N-gram length for decontamination.</summary>
    public int DecontaminationN { get; init; } = 13;
    /// <summary>Check replies against reference answers; off keeps every reply (selection is skipped).</summary>
    public bool Verifier { get; init; } = true;
    public SelectionPolicyKind Selection { get; init; } = SelectionPolicyKind.AllVerified;
    public required string OutputDir { get; init; }
    /// <summary>Teacher requests in flight at once, over all teachers.</summary>
    public int Concurrency { get; init; } = 8;
    public Avocado.Data.Dataset.ShardFormat ShardFormat { get; init; } = Avocado.Data.Dataset.ShardFormat.Parquet;
    /// <summary>Records per output shard.</summary>
    public int ShardSize { get; init; } = 10_000;
    /// <summary>SHA-256 (hex) of the config file's bytes, for the manifest.</summary>
    public string ConfigHash { get; init; } = "";
}

public enum TeacherProvider { InProcess, OpenAi }

public enum SelectionPolicyKind { AllVerified, MajorityVote, PerSkill, ShortestVerified }

public sealed record TeacherConfig
{
    public required string Name { get; init; }
    /// <summary>"qwen3", "gemma3" or "gpt-oss" (normalized).</summary>
    public required string Family { get; init; }
    public required TeacherProvider Provider { get; init; }
    /// <summary>In-process: the checkpoint directory.</summary>
    public string? Checkpoint { get; init; }
    /// <summary>OpenAI-compatible: the API base (with <c>/v1</c>).</summary>
    public Uri? Endpoint { get; init; }
    public string? Model { get; init; }
    public string? ApiKeyEnv { get; init; }
    /// <summary>Null: the checkpoint fingerprint (in-process) or the model name (endpoint).</summary>
    public string? Revision { get; init; }
    public required string License { get; init; }
    public IReadOnlyList<string> PreferredSkills { get; init; } = [];
    public TeacherSampling Sampling { get; init; } = new();
    public int SamplesPerPrompt { get; init; } = 1;
    public int? TopLogprobs { get; init; }
    public ReasoningEffort? ReasoningEffort { get; init; }
    /// <summary>In-process: requests generated together.</summary>
    public int MaxBatch { get; init; } = 8;
    /// <summary>gpt-oss in-process: the date in the rendered system message (fix it for runs that resume across days).</summary>
    public DateOnly? CurrentDate { get; init; }

    // OpenAI-compatible endpoints only: how the teacher copes with a slow or failing server. Null: the teacher's
    // default (OpenAiTeacherDefaults), except MaxConcurrency, whose default is the run's concurrency.

    /// <summary>Requests in flight to this teacher at once (a slot per attempt, not while backing off); the run's
    /// <see cref="TraceConfig.Concurrency"/> still caps all teachers together.</summary>
    public int? MaxConcurrency { get; init; }
    /// <summary>Limit of one attempt, the whole response included.</summary>
    public TimeSpan? RequestTimeout { get; init; }
    /// <summary>Attempts per request, the first included (408, 429, 5xx, connection errors and timeouts are retried).</summary>
    public int? MaxAttempts { get; init; }
    /// <summary>Backoff before retry n: uniform in [0, min(max, base·2^(n−1))] (full jitter).</summary>
    public TimeSpan? RetryBaseDelay { get; init; }
    public TimeSpan? RetryMaxDelay { get; init; }
    /// <summary>Longest <c>retry-after</c> honoured.</summary>
    public TimeSpan? MaxRetryAfter { get; init; }
    /// <summary>Failed attempts in a row that open the circuit.</summary>
    public int? BreakerThreshold { get; init; }
    /// <summary>How long an open circuit refuses requests before one probe may pass.</summary>
    public TimeSpan? BreakerOpen { get; init; }
}

public sealed record PromptSetConfig
{
    public required string Name { get; init; }
    public required IReadOnlyList<string> Files { get; init; }
    public PromptFileKind Kind { get; init; } = PromptFileKind.Auto;
}
