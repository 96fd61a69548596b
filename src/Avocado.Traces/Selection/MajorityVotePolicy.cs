using Avocado.Data.Prompts;
using Avocado.Data.Verification;

namespace Avocado.Traces.Selection;

/// <summary>
/// For prompts without a reference answer: the teachers vote, and the replies giving the winning answer are kept.
/// Answers are grouped by <see cref="AnswerEquivalence.CanonicalKey"/> ("1,000" and "1000" agree). Each teacher has
/// one vote, split evenly over its samples (a teacher with replies A, A, B gives A 2/3 and B 1/3; a reply without an
/// answer keeps its share of the vote from every answer), so a teacher that sampled more does not outvote the others.
/// An answer wins with the largest share of the teachers that took part; it must reach <see cref="MinimumShare"/> and
/// be backed by at least <see cref="MinimumTeachers"/> teachers. Equal shares are broken, in order, by more distinct
/// teachers, more replies, then the smaller key (ordinal), and the tie is named in the reason. Score = the share.
/// When the prompt has a reference answer there is nothing to vote on: the verified replies are kept, as
/// <see cref="AllVerifiedPolicy"/> does.
/// </summary>
public sealed class MajorityVotePolicy : ISelectionPolicy
{
    public string Name => "majority-vote";

    /// <summary>The least share of the participating teachers' votes the winner needs (0–1; default 0.5, a tie between two passes).</summary>
    public double MinimumShare { get; init; } = 0.5;

    /// <summary>The least number of distinct teachers that must give the winning answer (default 1: one teacher's samples vote alone).</summary>
    public int MinimumTeachers { get; init; } = 1;

    /// <summary>Count answers found only in the reasoning (cut-off replies) as votes, and keep such replies.</summary>
    public bool AcceptAnswersFromReasoning { get; init; }

    public SelectionResult Select(PromptItem prompt, IReadOnlyList<Candidate> candidates)
    {
        CandidateOrder.CheckArguments(prompt, candidates);
        if (candidates.Count == 0) return new SelectionResult(Name, [], "no candidates");
        if (prompt.ReferenceAnswer is not null || candidates.Any(c => c.Verification.HasReference))
        {
            var verified = new AllVerifiedPolicy { AcceptAnswersFromReasoning = AcceptAnswersFromReasoning }.Select(prompt, candidates);
            return verified with { Policy = Name, Reason = "the prompt has a reference answer, so the verified candidates are kept, not voted on: " + verified.Reason };
        }

        var teachers = candidates.GroupBy(c => c.Teacher, StringComparer.Ordinal).ToList();
        var groups = new Dictionary<string, VoteGroup>(StringComparer.Ordinal);
        foreach (var teacher in teachers)
        {
            var perSample = new Rational(1, teacher.Count());
            foreach (var candidate in teacher)
            {
                if (KeyOf(candidate) is not { } key) continue;
                if (!groups.TryGetValue(key, out var group)) groups[key] = group = new VoteGroup(key);
                group.Weight += perSample;
                group.Members.Add(candidate);
            }
        }
        if (groups.Count == 0) return new SelectionResult(Name, [], $"none of {candidates.Count} candidates has an answer to vote with");

        var ranked = groups.Values
            .OrderByDescending(g => g.Weight)
            .ThenByDescending(g => g.TeacherCount)
            .ThenByDescending(g => g.Members.Count)
            .ThenBy(g => g.Key, StringComparer.Ordinal)
            .ToList();
        var winner = ranked[0];
        var share = winner.Weight / Rational.FromInteger(teachers.Count);
        string tally = string.Join("; ", ranked.Select(g => $"{Display(g)}: {g.Weight} of {teachers.Count} teacher votes ({string.Join(", ", g.TeacherNames)})"));

        if (share.ToDouble() < MinimumShare || winner.TeacherCount < MinimumTeachers)
            return new SelectionResult(Name, [],
                $"no answer reaches a share of {MinimumShare:0.##} backed by {MinimumTeachers}+ teachers: {tally}");

        string reason = $"majority answer {Display(winner)} with {share} of the teacher votes";
        var tied = ranked.Skip(1).Where(g => g.Weight == winner.Weight).ToList();
        if (tied.Count > 0)
            reason += $"; tied with {string.Join(", ", tied.Select(Display))}, broken by {TieBreaker(winner, tied[0])}";
        var selected = winner.Members
            .Order(CandidateOrder.Instance)
            .Select(c => new SelectedCandidate(c, share.ToDouble(), reason))
            .ToList();
        return new SelectionResult(Name, selected, $"{reason} ({tally})");
    }

    private string? KeyOf(Candidate candidate)
    {
        var v = candidate.Verification;
        if (v.ExtractedAnswer is null) return null;
        if (!AcceptAnswersFromReasoning && v.ExtractedFrom == AnswerLocation.Reasoning) return null;
        return AnswerEquivalence.CanonicalKey(v.ExtractedAnswer);
    }

    private static string Display(VoteGroup g) => $"'{g.Members.Order(CandidateOrder.Instance).First().Verification.ExtractedAnswer}'";

    private static string TieBreaker(VoteGroup winner, VoteGroup runnerUp) =>
        winner.TeacherCount != runnerUp.TeacherCount ? "more teachers"
        : winner.Members.Count != runnerUp.Members.Count ? "more replies"
        : "the smaller answer key (ordinal order)";

    private sealed class VoteGroup(string key)
    {
        public string Key { get; } = key;
        public Rational Weight { get; set; } = Rational.Zero;
        public List<Candidate> Members { get; } = [];
        public IEnumerable<string> TeacherNames => Members.Select(m => m.Teacher).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal);
        public int TeacherCount => TeacherNames.Count();
    }
}
