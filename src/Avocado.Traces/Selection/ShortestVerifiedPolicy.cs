using Avocado.Data.Prompts;

namespace Avocado.Traces.Selection;

/// <summary>How <see cref="ShortestVerifiedPolicy"/> measures a reply.</summary>
public enum LengthMeasure
{
    /// <summary><see cref="Candidate.TokenCount"/> (teachers' tokenizers differ: compare within a family, or use characters).</summary>
    Tokens,

    /// <summary><see cref="Candidate.CharacterCount"/>: reasoning plus answer, comparable across tokenizers.</summary>
    Characters,
}

/// <summary>
/// Keeps the shortest verified replies (the least rambling correct reasoning), <see cref="Count"/> of them.
/// Score: shortest length / this length, so the shortest scores 1. Equal lengths fall to <see cref="CandidateOrder"/>.
/// </summary>
public sealed class ShortestVerifiedPolicy(LengthMeasure measure = LengthMeasure.Tokens, int count = 1) : ISelectionPolicy
{
    public string Name => "shortest-verified";

    public LengthMeasure Measure { get; } = measure;

    public int Count { get; } = count >= 1 ? count : throw new ArgumentOutOfRangeException(nameof(count), count, "keep at least one candidate");

    /// <summary>Also consider replies whose right answer was found only in the reasoning.</summary>
    public bool AcceptAnswersFromReasoning { get; init; }

    public SelectionResult Select(PromptItem prompt, IReadOnlyList<Candidate> candidates)
    {
        CandidateOrder.CheckArguments(prompt, candidates);
        var verified = candidates.Where(c => CandidateOrder.IsVerified(c, AcceptAnswersFromReasoning)).ToList();
        if (verified.Count == 0) return new SelectionResult(Name, [], $"none of {candidates.Count} candidates verified");

        var byLength = verified
            .Select(c => (Candidate: c, Length: LengthOf(c)))
            .OrderBy(x => x.Length)
            .ThenBy(x => x.Candidate, CandidateOrder.Instance)
            .ToList();
        string unit = Measure == LengthMeasure.Tokens ? "tokens" : "characters";
        int shortest = byLength[0].Length;
        var selected = byLength.Take(Count)
            .Select(x => new SelectedCandidate(x.Candidate, x.Length == 0 ? 1.0 : (double)shortest / x.Length,
                $"verified, {x.Length} {unit}"))
            .ToList();
        var lengths = string.Join(", ", byLength.Select(x => $"{x.Candidate.Label} {x.Length}"));
        return new SelectionResult(Name, selected, $"shortest {selected.Count} of {verified.Count} verified by {unit} ({lengths})");
    }

    private int LengthOf(Candidate c)
    {
        if (Measure == LengthMeasure.Characters) return c.CharacterCount;
        if (c.TokenCount <= 0)
            throw new ArgumentException(
                $"candidate from teacher '{c.Teacher}' (sample {c.Sample}) has TokenCount {c.TokenCount}; count the reply's tokens, "
                + "or measure by LengthMeasure.Characters", "candidates");
        return c.TokenCount;
    }
}
