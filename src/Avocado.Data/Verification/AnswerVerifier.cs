using Avocado.Text.Chat;

namespace Avocado.Data.Verification;

/// <summary>
/// Checks a model reply against a reference answer: <see cref="AnswerExtractor"/> finds the answer,
/// <see cref="AnswerEquivalence"/> compares it. Stateless and thread-safe.
/// </summary>
public sealed class AnswerVerifier(AnswerExtractionOptions? options = null)
{
    public static AnswerVerifier Default { get; } = new();

    public AnswerExtractionOptions Options { get; } = options ?? AnswerExtractionOptions.Default;

    /// <summary>Verifies a parsed reply (<see cref="ParsedReply.Content"/> is the final answer).</summary>
    public VerificationResult Verify(ParsedReply reply, string? reference)
    {
        ArgumentNullException.ThrowIfNull(reply);
        return Verify(reply.Content, reply.Reasoning, reference);
    }

    /// <summary>
    /// Verifies a reply given as its final answer and its reasoning. A reference that is a worked solution
    /// (ending in <c>#### 42</c>, or holding <c>\boxed{42}</c>) is reduced to its answer first.
    /// </summary>
    public VerificationResult Verify(string? finalAnswer, string? reasoning, string? reference)
    {
        var cleanReference = ReferenceAnswer(reference);
        var extracted = AnswerExtractor.Extract(finalAnswer, reasoning, Options);
        if (extracted is null) return new VerificationResult(Verdict.NoAnswer, null, cleanReference, MatchMethod.None);
        if (cleanReference is null)
            return new VerificationResult(Verdict.NoReference, extracted.Text, null, MatchMethod.None, extracted.Method, extracted.Location);
        var match = AnswerEquivalence.Compare(extracted.Text, cleanReference);
        return new VerificationResult(match.Equivalent ? Verdict.Correct : Verdict.Incorrect, extracted.Text, cleanReference, match.Method,
            extracted.Method, extracted.Location);
    }

    /// <summary>
    /// The short answer of a reference: the text after GSM8K's last <c>####</c>, else the last <c>\boxed{}</c>,
    /// else the reference trimmed; null when empty.
    /// </summary>
    public static string? ReferenceAnswer(string? reference)
    {
        if (string.IsNullOrWhiteSpace(reference)) return null;
        return AnswerMarkers.AfterHashMarks(reference) ?? AnswerMarkers.LastBoxed(reference) ?? reference.Trim();
    }
}
