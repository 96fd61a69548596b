using Avocado.Traces.Selection;
using static Avocado.Traces.Tests.Selection.Candidates;

namespace Avocado.Traces.Tests.Selection;

public class ShortestVerifiedPolicyTests
{
    private static readonly Candidate[] Replies =
    [
        Reply("qwen3-32b", "\\boxed{4}", "4", tokens: 900, reasoning: new string('q', 50)),
        Reply("gemma3-27b", "\\boxed{4}", "4", tokens: 300, reasoning: new string('g', 500)),
        Reply("gpt-oss-120b", "\\boxed{5}", "4", tokens: 100),
        Reply("gpt-oss-20b", "\\boxed{4}", "4", tokens: 600, reasoning: new string('o', 200)),
    ];

    [Fact]
    public void KeepsTheShortestVerifiedByTokens()
    {
        var result = new ShortestVerifiedPolicy().Select(Prompt("4"), Replies);
        Assert.Equal(["gemma3-27b"], Labels(result)); // gpt-oss-120b is shorter but wrong
        Assert.Equal(1.0, result.Selected[0].Score);
        Assert.Contains("300 tokens", result.Selected[0].Reason);
    }

    [Fact]
    public void KeepsSeveralWithScoresRelativeToTheShortest()
    {
        var result = new ShortestVerifiedPolicy(LengthMeasure.Tokens, count: 2).Select(Prompt("4"), Replies);
        Assert.Equal(["gemma3-27b", "gpt-oss-20b"], Labels(result));
        Assert.Equal(0.5, result.Selected[1].Score);
    }

    [Fact]
    public void MeasuresByCharactersWhenAsked()
    {
        var result = new ShortestVerifiedPolicy(LengthMeasure.Characters).Select(Prompt("4"), Replies);
        Assert.Equal(["qwen3-32b"], Labels(result));
    }

    [Fact]
    public void EqualLengthsFallToTheFixedOrder()
    {
        var tied = new[] { Reply("b-teacher", "4", "4", tokens: 50), Reply("a-teacher", "4", "4", tokens: 50) };
        Assert.Equal(["a-teacher"], Labels(new ShortestVerifiedPolicy().Select(Prompt("4"), tied)));
    }

    [Fact]
    public void AMissingTokenCountIsAnError()
    {
        var e = Assert.Throws<ArgumentException>(() => new ShortestVerifiedPolicy().Select(Prompt("4"), [Reply("qwen3-32b", "4", "4", tokens: 0)]));
        Assert.Contains("teacher 'qwen3-32b'", e.Message);
        Assert.Contains("LengthMeasure.Characters", e.Message);
    }

    [Fact]
    public void NothingVerifiedNothingKept() =>
        Assert.True(new ShortestVerifiedPolicy().Select(Prompt("4"), [Reply("qwen3-32b", "5", "4")]).IsEmpty);
}
