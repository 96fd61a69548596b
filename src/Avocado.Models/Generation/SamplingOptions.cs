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
    /// <summary>Fixes the random stream: each sequence has a generator of its own seeded with this, so its result
    /// does not depend on which other sequences share its batch.</summary>
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

/// <summary>A generated token with its log-probability under the model (temperature 1, before any sampling
/// transform — what distillation needs) and the top alternatives.</summary>
public sealed record GeneratedToken(long Id, float Logprob, IReadOnlyList<(long Id, float Logprob)> Top);

public enum FinishReason { Stop, Length, Cancelled }

public sealed record GeneratedSequence(IReadOnlyList<GeneratedToken> Tokens, FinishReason Finish)
{
    public long[] Ids => Tokens.Select(t => t.Id).ToArray();
}
