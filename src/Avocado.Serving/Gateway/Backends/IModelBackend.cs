using Avocado.Serving.Gateway.Protocol;
using Avocado.Text.Chat;

namespace Avocado.Serving.Gateway.Backends;

/// <summary>A model the gateway sells: an in-process checkpoint or an upstream OpenAI-compatible endpoint.</summary>
public interface IModelBackend : IAsyncDisposable
{
    string Name { get; }
    /// <summary>Prompt + completion tokens one request may use (vLLM's max_model_len).</summary>
    int ContextLength { get; }
    string OwnedBy { get; }

    /// <summary>Renders and counts the prompt (400 when it does not fit) so the gateway can reserve budget before
    /// anything runs.</summary>
    Task<PreparedGeneration> PrepareAsync(GenerationParameters request, bool chat, CancellationToken ct);
}

/// <summary>A validated request ready to run: its prompt size is known, its completion size bounded.</summary>
public abstract class PreparedGeneration(int promptTokens, int maxCompletionTokens)
{
    public int PromptTokens { get; } = promptTokens;
    public int MaxCompletionTokens { get; } = maxCompletionTokens;

    /// <summary>Runs choice <paramref name="index"/>, streaming deltas; the last delta carries the finish reason.
    /// Token counts go to <paramref name="tally"/> as they happen and are final once the enumeration is disposed,
    /// even when the consumer stops early or <paramref name="ct"/> (client gone) stops generation: billing reads them.</summary>
    public abstract IAsyncEnumerable<GenerationDelta> RunAsync(int index, GenerationTally tally, CancellationToken ct);
}

/// <summary>Tokens a request used, across its choices; what the client is told and what is billed.</summary>
public sealed class GenerationTally
{
    int completion, reasoning;
    public int? PromptTokens { get; set; }
    public int CompletionTokens => Volatile.Read(ref completion);
    public int ReasoningTokens => Volatile.Read(ref reasoning);
    public void AddCompletion(int tokens) => Interlocked.Add(ref completion, tokens);
    public void AddReasoning(int tokens) => Interlocked.Add(ref reasoning, tokens);
}

/// <summary>One streamed piece of a choice. Exactly one of the payloads is set, or Finish on the last one.</summary>
public sealed record GenerationDelta
{
    public string? Content { get; init; }
    public string? Reasoning { get; init; }
    public ToolCall? ToolCall { get; init; }
    public IReadOnlyList<TokenLogprob>? Logprobs { get; init; }
    /// <summary>"stop", "length", "tool_calls", or "cancelled" (client gone); set on the final delta only.</summary>
    public string? Finish { get; init; }
    public string? Error { get; init; }
}

public sealed record TokenLogprob(string Token, float Logprob, byte[] Bytes, IReadOnlyList<(string Token, float Logprob, byte[] Bytes)> Top);
