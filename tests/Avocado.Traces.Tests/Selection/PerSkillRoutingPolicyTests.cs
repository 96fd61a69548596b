using Avocado.Traces.Selection;
using static Avocado.Traces.Tests.Selection.Candidates;

namespace Avocado.Traces.Tests.Selection;

public class PerSkillRoutingPolicyTests
{
    private static readonly PerSkillRoutingPolicy Policy = new(new Dictionary<string, IReadOnlyList<string>>
    {
        ["math"] = ["qwen3", "gpt-oss-120b"],
        ["code"] = ["gpt-oss-120b"],
    });

    [Fact]
    public void KeepsTheFirstPreferredTeacherWithAVerifiedReply()
    {
        var candidates = new[]
        {
            Reply("gemma3-27b", "\\boxed{5}", "5"),
            Reply("gpt-oss-120b", "\\boxed{5}", "5"),
            Reply("qwen3-32b", "\\boxed{5}", "5"),
            Reply("qwen3-8b", "\\boxed{5}", "5"),
        };
        var result = Policy.Select(Prompt("5", skill: "Math"), candidates);
        Assert.Equal(["qwen3-32b", "qwen3-8b"], Labels(result)); // "qwen3" is a family: both Qwen3 teachers match
        Assert.All(result.Selected, s => Assert.Equal(1.0, s.Score));
        Assert.Contains("routes to 'qwen3' (preference 1 of 2)", result.Reason);
    }

    [Fact]
    public void FallsToTheNextPreferenceThenToAnyVerifiedReply()
    {
        var secondChoice = Policy.Select(Prompt("5", "math"),
            [Reply("qwen3-32b", "\\boxed{6}", "5"), Reply("gpt-oss-120b", "\\boxed{5}", "5"), Reply("gemma3-27b", "\\boxed{5}", "5")]);
        Assert.Equal(["gpt-oss-120b"], Labels(secondChoice));
        Assert.Equal(0.5, secondChoice.Selected[0].Score);

        var fallback = Policy.Select(Prompt("5", "math"),
            [Reply("qwen3-32b", "\\boxed{6}", "5"), Reply("gemma3-27b", "\\boxed{5}", "5")]);
        Assert.Equal(["gemma3-27b"], Labels(fallback));
        Assert.Equal(1.0 / 3, fallback.Selected[0].Score, 12);
        Assert.Contains("no preferred teacher", fallback.Reason);
    }

    [Fact]
    public void UnroutedSkillsKeepEveryVerifiedReply()
    {
        var result = Policy.Select(Prompt("Paris", "geography"),
            [Reply("qwen3-32b", "Answer: Paris", "Paris"), Reply("gemma3-27b", "Answer: paris", "Paris"), Reply("gpt-oss-120b", "Answer: Lyon", "Paris")]);
        Assert.Equal(["gemma3-27b", "qwen3-32b"], Labels(result));
        Assert.Contains("has no route", result.Reason);
    }

    [Fact]
    public void WithoutAReferenceThePreferredTeacherIsTrustedOnlyWhenAsked()
    {
        var candidates = new[] { Reply("gemma3-27b", "print(1)", null), Reply("gpt-oss-120b", "The answer is 3.", null) };
        Assert.True(Policy.Select(Prompt(null, "code"), candidates).IsEmpty);

        var trusting = new PerSkillRoutingPolicy(new Dictionary<string, IReadOnlyList<string>> { ["code"] = ["gpt-oss-120b"] })
        {
            TrustPreferredWithoutReference = true,
        };
        var result = trusting.Select(Prompt(null, "code"), candidates);
        Assert.Equal(["gpt-oss-120b"], Labels(result));
        Assert.Contains("trusted without a reference", result.Reason);
    }

    [Fact]
    public void ABadMapIsRefusedWithTheSkillNamed()
    {
        var e = Assert.Throws<ArgumentException>(() => new PerSkillRoutingPolicy(new Dictionary<string, IReadOnlyList<string>> { ["math"] = [] }));
        Assert.Contains("skill 'math' routes to no teacher", e.Message);
        var dup = Assert.Throws<ArgumentException>(() => new PerSkillRoutingPolicy(
            new Dictionary<string, IReadOnlyList<string>> { ["math"] = ["a"], ["MATH"] = ["b"] }));
        Assert.Contains("appears twice", dup.Message);
    }
}
