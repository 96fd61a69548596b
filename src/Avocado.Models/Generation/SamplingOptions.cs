namespace Avocado.Models.Generation;

/// <summary>How the next token is chosen. Temperature 0 is greedy. Order of application, as in transformers:
/// repetition penalty → temperature → top-k → top-p.</summary>
public sealed record SamplingOptions
{
    public double Temperature { get; init; } = 0;
    public int TopK { get; init; } = 0;            // 0 = off
    public double TopP { get; init; } = 1;         // 1 = off
    /// <summary>CTRL-style: logits of tokens already in the sequence are divided (if positive) or multiplied
    /// (if negative) by this; 1 = off.</summary>
    public double RepetitionPenalty { get; init; } = 1;
    /// <summary>Fixes the random stream; sequence i of a batch uses seed + i, so its result does not depend on
    /// which other prompts share its batch.</summary>
    public long Seed { get; init; } = 0;

    public bool Greedy => Temperature <= 0;

    public void Validate()
    {
        if (Temperature < 0 || double.IsNaN(Temperature)) throw new ArgumentException("temperature must be ≥ 0");
        if (TopK < 0) throw new ArgumentException("top_k must be ≥ 0");
        if (!(TopP > 0 && TopP <= 1)) throw new ArgumentException("top_p must be in (0, 1]");
        if (!(RepetitionPenalty > 0)) throw new ArgumentException("repetition_penalty must be > 0");
    }
}

/// <summary>One generation job: prompts of any lengths, decoded together.</summary>
public sealed record GenerationRequest
{
    public required IReadOnlyList<long[]> Prompts { get; init; }
    public int MaxNewTokens { get; init; } = 64;
    public SamplingOptions Sampling { get; init; } = new();
    /// <summary>Generation of a sequence stops after it emits one of these (the stop token is included in the output).</summary>
    public IReadOnlyCollection<long> StopTokens { get; init; } = [];
    /// <summary>How many top alternatives (with log-probabilities) to report per generated token.</summary>
    public int TopLogprobs { get; init; } = 0;
    /// <summary>Called for each new token of each sequence as soon as it is chosen (streaming).</summary>
    public Action<TokenEvent>? OnToken { get; init; }
    public CancellationToken Cancellation { get; init; } = default;
}

/// <summary>A generated token with its log-probability under the model (temperature 1, before any sampling
/// transform — what distillation needs) and the top alternatives.</summary>
public sealed record GeneratedToken(long Id, float Logprob, IReadOnlyList<(long Id, float Logprob)> Top);

public sealed record TokenEvent(int Sequence, int Index, GeneratedToken Token);

public enum FinishReason { Stop, Length, Cancelled }

public sealed record GeneratedSequence(IReadOnlyList<GeneratedToken> Tokens, FinishReason Finish)
{
    public long[] Ids => Tokens.Select(t => t.Id).ToArray();
}
