using Avocado.Data.Prompts;

namespace Avocado.Traces.Selection;

/// <summary>Keeps every candidate whose answer matches the reference (rejection sampling), each with score 1.</summary>
public sealed class AllVerifiedPolicy : ISelectionPolicy
{
    public string Name => "all-verified";

    /// <summary>Also keep replies whose right answer was found only in the reasoning (cut off before the final answer).</summary>
    public bool AcceptAnswersFromReasoning { get; init; }

    public SelectionResult Select(PromptItem prompt, IReadOnlyList<Candidate> candidates)
    {
        CandidateOrder.CheckArguments(prompt, candidates);
        if (candidates.Count == 0) return new SelectionResult(Name, [], "no candidates");
        if (prompt.ReferenceAnswer is null && !candidates.Any(c => c.Verification.HasReference))
            return new SelectionResult(Name, [], "the prompt has no reference answer, so nothing can be verified (use majority-vote)");

        var selected = candidates
            .Where(c => CandidateOrder.IsVerified(c, AcceptAnswersFromReasoning))
            .Order(CandidateOrder.Instance)
            .Select(c => new SelectedCandidate(c, 1.0,
                $"answer '{c.Verification.ExtractedAnswer}' matches the reference '{c.Verification.Reference}' ({c.Verification.Method})"))
            .ToList();
        return new SelectionResult(Name, selected, $"{selected.Count} of {candidates.Count} candidates verified");
    }
}
