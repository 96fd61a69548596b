using Avocado.Traces.Selection;
using static Avocado.Traces.Tests.Selection.Candidates;

namespace Avocado.Traces.Tests.Selection;

public class MajorityVotePolicyTests
{
    [Fact]
    public void EquivalentAnswersVoteTogether()
    {
        var candidates = new[]
        {
            Reply("qwen3-32b", "The answer is 1,000.", null),
            Reply("gemma3-27b", "\\boxed{1000}", null),
            Reply("gpt-oss-120b", "Answer: 999", null),
        };
        var result = new MajorityVotePolicy().Select(Prompt(null), candidates);
        Assert.Equal(["gemma3-27b", "qwen3-32b"], Labels(result));
        Assert.All(result.Selected, s => Assert.Equal(2.0 / 3, s.Score, 12));
        Assert.Contains("majority answer", result.Reason);
        Assert.Contains("2/3", result.Reason);
    }

    [Fact]
    public void EachTeacherHasOneVoteWhateverItsNumberOfSamples()
    {
        // gpt-oss sampled "7" four times; two other teachers say "8": 2 votes against 1.
        var candidates = new List<Candidate>
        {
            Reply("qwen3-32b", "8", null),
            Reply("gemma3-27b", "8", null),
        };
        for (int i = 0; i < 4; i++) candidates.Add(Reply("gpt-oss-120b", "7", null, sample: i));
        var result = new MajorityVotePolicy().Select(Prompt(null), candidates);
        Assert.Equal(["gemma3-27b", "qwen3-32b"], Labels(result));
    }

    [Fact]
    public void SamplesOfOneTeacherSplitItsVote()
    {
        var candidates = new[]
        {
            Reply("qwen3-32b", "5", null, sample: 0),
            Reply("qwen3-32b", "5", null, sample: 1),
            Reply("qwen3-32b", "6", null, sample: 2),
        };
        var result = new MajorityVotePolicy().Select(Prompt(null), candidates);
        Assert.Equal(["qwen3-32b", "qwen3-32b#1"], Labels(result));
        Assert.Equal(2.0 / 3, result.Selected[0].Score, 12);
    }

    [Fact]
    public void TiesAreBrokenDeterministicallyAndRecorded()
    {
        var candidates = new[]
        {
            Reply("qwen3-32b", "41", null),
            Reply("gemma3-27b", "42", null),
        };
        var result = new MajorityVotePolicy().Select(Prompt(null), candidates);
        var again = new MajorityVotePolicy().Select(Prompt(null), candidates.Reverse().ToArray());
        Assert.Equal(Labels(result), Labels(again));
        Assert.Single(result.Selected);
        Assert.Contains("tied with", result.Reason);
        Assert.Contains("smaller answer key", result.Reason);
    }

    [Fact]
    public void ATieIsBrokenByMoreTeachersBeforeTheKey()
    {
        // "9": qwen3 half + gemma3 half = 1 vote from two teachers; "10": gpt-oss's whole vote from one teacher.
        var candidates = new[]
        {
            Reply("qwen3-32b", "9", null, sample: 0),
            Reply("qwen3-32b", "3", null, sample: 1),
            Reply("gemma3-27b", "9", null, sample: 0),
            Reply("gemma3-27b", "4", null, sample: 1),
            Reply("gpt-oss-120b", "10", null),
        };
        var result = new MajorityVotePolicy { MinimumShare = 0.3 }.Select(Prompt(null), candidates);
        Assert.Equal(["gemma3-27b", "qwen3-32b"], Labels(result));
        Assert.Contains("broken by more teachers", result.Reason);
    }

    [Fact]
    public void ThresholdsRejectAWeakWinner()
    {
        var candidates = new[] { Reply("qwen3-32b", "1", null), Reply("gemma3-27b", "2", null), Reply("gpt-oss-120b", "3", null) };
        var result = new MajorityVotePolicy().Select(Prompt(null), candidates);
        Assert.True(result.IsEmpty);
        Assert.StartsWith("no answer reaches", result.Reason);

        var agreeing = new[] { Reply("qwen3-32b", "1", null), Reply("qwen3-32b", "1", null, sample: 1) };
        Assert.True(new MajorityVotePolicy { MinimumTeachers = 2 }.Select(Prompt(null), agreeing).IsEmpty);
        Assert.Equal(2, new MajorityVotePolicy().Select(Prompt(null), agreeing).Selected.Count);
    }

    [Fact]
    public void RepliesWithoutAnAnswerDoNotVote()
    {
        var candidates = new[] { Reply("qwen3-32b", "I cannot tell.", null), Reply("gemma3-27b", "It is 12.", null) };
        var result = new MajorityVotePolicy().Select(Prompt(null), candidates);
        Assert.Equal(["gemma3-27b"], Labels(result));
        Assert.Equal(0.5, result.Selected[0].Score, 12);
        Assert.True(new MajorityVotePolicy().Select(Prompt(null), [Reply("qwen3-32b", "no idea", null)]).IsEmpty);
    }

    [Fact]
    public void WithAReferenceTheVerifiedRepliesAreKept()
    {
        var candidates = new[] { Reply("qwen3-32b", "7", "8"), Reply("gemma3-27b", "7", "8"), Reply("gpt-oss-120b", "8", "8") };
        var result = new MajorityVotePolicy().Select(Prompt("8"), candidates);
        Assert.Equal(["gpt-oss-120b"], Labels(result));
        Assert.Equal("majority-vote", result.Policy);
        Assert.Contains("not voted on", result.Reason);
    }
}
