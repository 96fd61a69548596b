namespace Avocado.Data.Verification;

/// <summary>The outcome of checking one reply against a prompt's reference answer.</summary>
public enum Verdict
{
    /// <summary>The extracted answer equals the reference.</summary>
    Correct,

    /// <summary>The extracted answer differs from the reference.</summary>
    Incorrect,

    /// <summary>The reply has no answer to extract (checked before the reference: such a reply is useless either way).</summary>
    NoAnswer,

    /// <summary>The prompt has no reference answer: the answer was extracted but could not be checked (vote instead).</summary>
    NoReference,
}

/// <summary>
/// A verified reply: the verdict, the answer found (as written) and how it was found, the reference it was compared
/// with (after extracting it from a worked solution), and how the two were compared.
/// </summary>
public sealed record VerificationResult(
    Verdict Verdict,
    string? ExtractedAnswer,
    string? Reference,
    MatchMethod Method,
    ExtractionMethod? ExtractedBy = null,
    AnswerLocation? ExtractedFrom = null)
{
    public bool IsCorrect => Verdict == Verdict.Correct;

    /// <summary>Whether the prompt had a reference answer (true for Correct and Incorrect, and for NoAnswer with one).</summary>
    public bool HasReference => Reference is not null;
}
