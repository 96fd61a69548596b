namespace Avocado.Traces.Selection;

/// <summary>A chosen candidate, how strongly the policy endorses it (0–1, higher is better) and why.</summary>
public sealed record SelectedCandidate(Candidate Candidate, double Score, string Reason);

/// <summary>
/// What a policy chose for one prompt (possibly nothing) and why, in words a person auditing the data set can follow.
/// The selected candidates come best first, ties in <see cref="CandidateOrder"/>.
/// </summary>
public sealed record SelectionResult(string Policy, IReadOnlyList<SelectedCandidate> Selected, string Reason)
{
    public bool IsEmpty => Selected.Count == 0;
}
