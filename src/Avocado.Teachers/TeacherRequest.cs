using Avocado.Text.Chat;

namespace Avocado.Teachers;

/// <summary>How a teacher samples. Defaults are OpenAI's (temperature 1, no top-p/top-k cut); temperature 0 is greedy.</summary>
public sealed record TeacherSampling
{
    public double Temperature { get; init; } = 1.0;
    /// <summary>Nucleus mass in (0, 1]; 1 = off.</summary>
    public double TopP { get; init; } = 1.0;
    /// <summary>0 = off. Sent to endpoints only when set (OpenAI itself rejects the field; vLLM, llama.cpp and Ollama take it).</summary>
    public int TopK { get; init; }
    public int MaxTokens { get; init; } = 1024;
    /// <summary>Base seed; sample <see cref="TeacherRequest.SampleIndex"/> uses <c>Seed + SampleIndex</c>. Null: in-process
    /// teachers use 0 (so runs repeat), endpoints are sent no seed (the server draws one).</summary>
    public long? Seed { get; init; }

    /// <summary>Thinking-mode sampling Qwen3 recommends (temperature 0.6, top-p 0.95, top-k 20).</summary>
    public static TeacherSampling Qwen3Thinking { get; } = new() { Temperature = 0.6, TopP = 0.95, TopK = 20 };
}

/// <summary>One question to a teacher: a conversation, how to sample, which sample of several it is, and whether to
/// return per-token log-probabilities.</summary>
public sealed record TeacherRequest
{
    public const int MaxTopLogprobs = 100;

    public required IReadOnlyList<ChatMessage> Messages { get; init; }
    /// <summary>Functions offered to the model (Qwen3, gpt-oss).</summary>
    public IReadOnlyList<ToolDefinition>? Tools { get; init; }
    public TeacherSampling Sampling { get; init; } = new();
    /// <summary>Which of several samples of the same conversation this is (0, 1, …): it shifts the seed and is part of
    /// the cache key, so N samples are N distinct, individually cached replies.</summary>
    public int SampleIndex { get; init; }
    /// <summary>Null: no log-probabilities. 0: the chosen token's log-probability only. k: also the k most likely
    /// alternatives at each position (endpoints usually cap k at 20).</summary>
    public int? TopLogprobs { get; init; }
    /// <summary>gpt-oss "Reasoning: low|medium|high" (sent as <c>reasoning_effort</c> to endpoints); null = the teacher's default.</summary>
    public ReasoningEffort? ReasoningEffort { get; init; }
    /// <summary>Qwen3: false renders the empty think block (no reasoning); sent to endpoints as
    /// <c>chat_template_kwargs.enable_thinking</c> only when false.</summary>
    public bool EnableThinking { get; init; } = true;

    /// <summary>The seed this sample uses, or null when none was asked for.</summary>
    public long? EffectiveSeed => Sampling.Seed is { } s ? s + SampleIndex : null;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid field.</summary>
    public void Validate()
    {
        if (Messages is null || Messages.Count == 0) throw new ArgumentException("a teacher request needs at least one message (Messages is empty)");
        for (int i = 0; i < Messages.Count; i++)
            if (Messages[i] is null) throw new ArgumentException($"Messages[{i}] is null");
        var s = Sampling ?? throw new ArgumentException("Sampling is null");
        if (!(s.Temperature >= 0) || double.IsInfinity(s.Temperature)) throw new ArgumentException($"Sampling.Temperature must be ≥ 0, got {s.Temperature}");
        if (!(s.TopP > 0 && s.TopP <= 1)) throw new ArgumentException($"Sampling.TopP must be in (0, 1], got {s.TopP}");
        if (s.TopK < 0) throw new ArgumentException($"Sampling.TopK must be ≥ 0, got {s.TopK}");
        if (s.MaxTokens < 1) throw new ArgumentException($"Sampling.MaxTokens must be ≥ 1, got {s.MaxTokens}");
        if (SampleIndex < 0) throw new ArgumentException($"SampleIndex must be ≥ 0, got {SampleIndex}");
        if (TopLogprobs is < 0 or > MaxTopLogprobs) throw new ArgumentException($"TopLogprobs must be null or in [0, {MaxTopLogprobs}], got {TopLogprobs}");
    }
}
