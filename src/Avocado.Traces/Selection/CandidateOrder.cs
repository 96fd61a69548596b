using Avocado.Data.Verification;

namespace Avocado.Traces.Selection;

/// <summary>
/// The one fixed order every policy breaks ties with, so results never depend on the order replies arrived in:
/// teacher name (ordinal), then sample number, then family.
/// </summary>
public sealed class CandidateOrder : IComparer<Candidate>
{
    public static CandidateOrder Instance { get; } = new();

    public int Compare(Candidate? x, Candidate? y)
    {
        if (ReferenceEquals(x, y)) return 0;
        if (x is null) return -1;
        if (y is null) return 1;
        int c = string.CompareOrdinal(x.Teacher, y.Teacher);
        if (c == 0) c = x.Sample.CompareTo(y.Sample);
        if (c == 0) c = string.CompareOrdinal(x.Family, y.Family);
        return c;
    }

    /// <summary>
    /// Whether a candidate counts as verified: the answer equals the reference and, unless
    /// <paramref name="acceptAnswersFromReasoning"/>, was found in the final answer; a reply cut off while thinking
    /// is no complete trace to learn from, even when its draft was right.
    /// </summary>
    internal static bool IsVerified(Candidate candidate, bool acceptAnswersFromReasoning) =>
        candidate.Verification.Verdict == Verdict.Correct
        && (acceptAnswersFromReasoning || candidate.Verification.ExtractedFrom != AnswerLocation.Reasoning);

    internal static void CheckArguments(object prompt, IReadOnlyList<Candidate> candidates)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        ArgumentNullException.ThrowIfNull(candidates);
        for (int i = 0; i < candidates.Count; i++)
            if (candidates[i] is null) throw new ArgumentException($"candidates[{i}] is null", nameof(candidates));
    }
}
