using Avocado.Models;
using Avocado.Models.Generation;

namespace Avocado.Inference;

/// <summary>One generation job for the engine, in token ids (the gateway renders chat formats and tokenizes).</summary>
public sealed record EngineRequest
{
    public required long[] PromptIds { get; init; }
    public int MaxNewTokens { get; init; } = 256;
    public SamplingOptions Sampling { get; init; } = new();
    public IReadOnlyCollection<long> StopTokens { get; init; } = [];
    public int TopLogprobs { get; init; }
    /// <summary>Pixels for the prompt's image placeholders (a model that sees reads them in the prefill).</summary>
    public VisualInputs? Visual { get; init; }
    /// <summary>Cancelled when the client goes away: generation stops at the next step and what was generated is reported.</summary>
    public CancellationToken Cancellation { get; init; }
}

public abstract record EngineEvent;

public sealed record TokenGenerated(GeneratedToken Token) : EngineEvent;

/// <summary>Always the last event of a request, whatever happened (stop, length, cancellation or an error).</summary>
public sealed record GenerationCompleted(FinishReason Finish, int PromptTokens, int CompletionTokens, string? Error = null) : EngineEvent;

public sealed record EngineOptions
{
    /// <summary>Sequences decoded together in one step (continuous batching joins new ones between steps).</summary>
    public int MaxBatch { get; init; } = 8;
    /// <summary>Requests waiting for a batch slot; beyond this, submissions are refused (the gateway answers 429).</summary>
    public int MaxQueue { get; init; } = 64;
    /// <summary>Prompt + generated tokens per sequence; bounds KV-cache memory at MaxBatch × MaxContext entries.</summary>
    public int MaxContext { get; init; } = 4096;

    public void Validate()
    {
        if (MaxBatch < 1) throw new ArgumentException("EngineOptions.MaxBatch must be ≥ 1");
        if (MaxQueue < 0) throw new ArgumentException("EngineOptions.MaxQueue must be ≥ 0");
        if (MaxContext < 2) throw new ArgumentException("EngineOptions.MaxContext must be ≥ 2");
    }
}

/// <summary>InvalidPrompt: empty, or a token id outside the vocabulary.</summary>
public enum SubmitResult { Accepted, QueueFull, PromptTooLong, InvalidPrompt, ShuttingDown }
