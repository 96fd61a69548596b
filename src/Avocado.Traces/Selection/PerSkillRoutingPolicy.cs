using Avocado.Data.Prompts;
using Avocado.Data.Verification;

namespace Avocado.Traces.Selection;

/// <summary>
/// Routes each skill to its specialist teachers: for a prompt whose <see cref="PromptItem.Skill"/> is in the map, the
/// verified replies of the first preferred teacher that has any are kept (score 1 / rank, rank 1 = first preference).
/// A name in the map matches a candidate's <see cref="Candidate.Teacher"/> or <see cref="Candidate.Family"/>
/// (ignoring case), so "math" → ["qwen3"] covers every Qwen3 teacher. When no preferred teacher has a verified reply,
/// every verified reply is kept, ranked after all preferences (score 1 / (preferences + 1)); a skill without a route
/// keeps every verified reply with score 1. Skills match ignoring case.
/// </summary>
public sealed class PerSkillRoutingPolicy : ISelectionPolicy
{
    private readonly Dictionary<string, IReadOnlyList<string>> _routes;

    /// <param name="preferredTeachers">skill → teacher or family names, most preferred first.</param>
    public PerSkillRoutingPolicy(IReadOnlyDictionary<string, IReadOnlyList<string>> preferredTeachers)
    {
        ArgumentNullException.ThrowIfNull(preferredTeachers);
        _routes = new Dictionary<string, IReadOnlyList<string>>(StringComparer.OrdinalIgnoreCase);
        foreach (var (skill, teachers) in preferredTeachers)
        {
            if (string.IsNullOrWhiteSpace(skill)) throw new ArgumentException("a routing map has an empty skill name", nameof(preferredTeachers));
            if (teachers is null || teachers.Count == 0 || teachers.Any(string.IsNullOrWhiteSpace))
                throw new ArgumentException($"skill '{skill}' routes to no teacher (or to an empty name); list at least one teacher or family", nameof(preferredTeachers));
            if (!_routes.TryAdd(skill, teachers.ToArray()))
                throw new ArgumentException($"skill '{skill}' appears twice in the routing map (skills match ignoring case)", nameof(preferredTeachers));
        }
    }

    public string Name => "per-skill-routing";

    /// <summary>
    /// For prompts without a reference answer (nothing can be verified), keep the first preferred teacher's answered
    /// replies anyway: trust the specialist. Off by default.
    /// </summary>
    public bool TrustPreferredWithoutReference { get; init; }

    /// <summary>Also count replies whose right answer was found only in the reasoning.</summary>
    public bool AcceptAnswersFromReasoning { get; init; }

    public SelectionResult Select(PromptItem prompt, IReadOnlyList<Candidate> candidates)
    {
        CandidateOrder.CheckArguments(prompt, candidates);
        if (candidates.Count == 0) return new SelectionResult(Name, [], "no candidates");
        var verified = candidates.Where(c => CandidateOrder.IsVerified(c, AcceptAnswersFromReasoning)).Order(CandidateOrder.Instance).ToList();

        if (prompt.Skill is null || !_routes.TryGetValue(prompt.Skill, out var preferred))
        {
            string unrouted = prompt.Skill is null ? "the prompt has no skill" : $"skill '{prompt.Skill}' has no route";
            return Keep(verified, 1.0, $"{unrouted}: any verified reply");
        }

        bool hasReference = prompt.ReferenceAnswer is not null || candidates.Any(c => c.Verification.HasReference);
        for (int rank = 0; rank < preferred.Count; rank++)
        {
            var name = preferred[rank];
            double score = 1.0 / (rank + 1);
            var fromTeacher = verified.Where(c => Matches(c, name)).ToList();
            if (fromTeacher.Count > 0)
                return Keep(fromTeacher, score, $"skill '{prompt.Skill}' routes to '{name}' (preference {rank + 1} of {preferred.Count}), verified");
            if (!hasReference && TrustPreferredWithoutReference)
            {
                var answered = candidates.Where(c => Matches(c, name) && Answered(c)).Order(CandidateOrder.Instance).ToList();
                if (answered.Count > 0)
                    return Keep(answered, score, $"skill '{prompt.Skill}' routes to '{name}' (preference {rank + 1} of {preferred.Count}), trusted without a reference");
            }
        }
        return Keep(verified, 1.0 / (preferred.Count + 1),
            $"no preferred teacher for skill '{prompt.Skill}' ({string.Join(", ", preferred)}) has a verified reply: any verified reply");
    }

    private SelectionResult Keep(IReadOnlyList<Candidate> chosen, double score, string reason) =>
        new(Name, chosen.Select(c => new SelectedCandidate(c, score, reason)).ToList(),
            chosen.Count == 0 ? reason + " (none)" : reason);

    private bool Answered(Candidate c) =>
        c.Verification.ExtractedAnswer is not null && (AcceptAnswersFromReasoning || c.Verification.ExtractedFrom != AnswerLocation.Reasoning);

    private static bool Matches(Candidate c, string name) =>
        string.Equals(c.Teacher, name, StringComparison.OrdinalIgnoreCase) || string.Equals(c.Family, name, StringComparison.OrdinalIgnoreCase);
}
