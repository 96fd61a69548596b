using Avocado.Traces.Selection;
using static Avocado.Traces.Tests.Selection.Candidates;

namespace Avocado.Traces.Tests.Selection;

public class AllVerifiedPolicyTests
{
    [Fact]
    public void KeepsEveryVerifiedReplyInAFixedOrder()
    {
        var prompt = Prompt("1000");
        var candidates = new[]
        {
            Reply("qwen3-32b", "The total is \\boxed{1,000}.", "1000"),
            Reply("gemma3-27b", "The total is \\boxed{900}.", "1000"),
            Reply("gpt-oss-120b", "Answer: 1000", "1000", sample: 1),
            Reply("gpt-oss-120b", "I give up.", "1000"),
        };
        var result = new AllVerifiedPolicy().Select(prompt, candidates);
        Assert.Equal(["gpt-oss-120b#1", "qwen3-32b"], Labels(result));
        Assert.All(result.Selected, s => Assert.Equal(1.0, s.Score));
        Assert.Equal("2 of 4 candidates verified", result.Reason);
        Assert.Contains("matches the reference '1000'", result.Selected[0].Reason);

        var reversed = new AllVerifiedPolicy().Select(prompt, candidates.Reverse().ToArray());
        Assert.Equal(Labels(result), Labels(reversed));
    }

    [Fact]
    public void ReplyCutOffBeforeItsFinalAnswerIsNotKeptUnlessAsked()
    {
        var cutOff = Reply("qwen3-32b", "", "8", reasoning: "so the total is \\boxed{8}");
        Assert.Empty(new AllVerifiedPolicy().Select(Prompt("8"), [cutOff]).Selected);
        Assert.Single(new AllVerifiedPolicy { AcceptAnswersFromReasoning = true }.Select(Prompt("8"), [cutOff]).Selected);
    }

    [Fact]
    public void WithoutAReferenceNothingIsKept()
    {
        var result = new AllVerifiedPolicy().Select(Prompt(null), [Reply("qwen3-32b", "42", null)]);
        Assert.True(result.IsEmpty);
        Assert.Contains("no reference answer", result.Reason);
    }
}
