using Avocado.Data.Verification;

namespace Avocado.Traces.Selection;

/// <summary>
/// One teacher reply to one prompt, verified: the teacher's name ("qwen3-32b") and family ("qwen3"), the final
/// answer text and the reasoning, the reply's length in tokens (of the teacher's tokenizer) and the verification.
/// <see cref="Sample"/> tells apart several replies of one teacher to the same prompt.
/// </summary>
public sealed record Candidate(
    string Teacher,
    string Family,
    string AnswerText,
    string? Reasoning,
    int TokenCount,
    VerificationResult Verification)
{
    /// <summary>Which of the teacher's replies to this prompt this is (0 when there is one per teacher).</summary>
    public int Sample { get; init; }

    /// <summary>Characters of reasoning and answer together (a tokenizer-free length).</summary>
    public int CharacterCount => (Reasoning?.Length ?? 0) + AnswerText.Length;

    /// <summary>"qwen3-32b#1": the teacher and the sample, for reasons and logs.</summary>
    public string Label => Sample == 0 ? Teacher : $"{Teacher}#{Sample}";
}
