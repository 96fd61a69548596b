using Avocado.Data.Verification;
using Avocado.Text.Chat;

namespace Avocado.Data.Tests.Verification;

public class AnswerVerifierTests
{
    private static readonly AnswerVerifier Verifier = AnswerVerifier.Default;

    [Theory]
    [InlineData("The total is \\boxed{1,000}.", "1000", Verdict.Correct)]
    [InlineData("Each gets $\\boxed{\\frac{1}{2}}$ of the cake", "0.5", Verdict.Correct)]
    [InlineData("She earns $3.00 per hour.\n#### $3.00", "3", Verdict.Correct)]
    [InlineData("The temperature fell to −12 degrees.", "-12", Verdict.Correct)]
    [InlineData("The temperature fell to 12 degrees.", "-12", Verdict.Incorrect)]
    [InlineData("Answer: (C)", "C", Verdict.Correct)]
    [InlineData("Answer: (C)", "D", Verdict.Incorrect)]
    [InlineData("**Answer:** The total is 42 dollars.", "42", Verdict.Correct)]
    [InlineData("I cannot tell.", "7", Verdict.NoAnswer)]
    [InlineData("So it is 7.", null, Verdict.NoReference)]
    [InlineData("So it is 7.", "   ", Verdict.NoReference)]
    public void Verdicts(string final, string? reference, Verdict expected) =>
        Assert.Equal(expected, Verifier.Verify(final, null, reference).Verdict);

    [Fact]
    public void TheFinalAnswerDecidesNotADraftInTheReasoning()
    {
        var result = Verifier.Verify("So the answer is 9.", "First guess: \\boxed{8}", "8");
        Assert.Equal(Verdict.Incorrect, result.Verdict);
        Assert.Equal("9", result.ExtractedAnswer);
        Assert.Equal(AnswerLocation.Final, result.ExtractedFrom);
    }

    [Fact]
    public void ReasoningIsUsedWhenTheFinalAnswerIsMissing()
    {
        var result = Verifier.Verify(new ParsedReply("so the total is \\boxed{8}", "", []), "8");
        Assert.Equal(Verdict.Correct, result.Verdict);
        Assert.Equal(AnswerLocation.Reasoning, result.ExtractedFrom);
        Assert.Equal(ExtractionMethod.Boxed, result.ExtractedBy);
    }

    [Fact]
    public void AWorkedSolutionAsReferenceIsReducedToItsAnswer()
    {
        var gsm = Verifier.Verify("#### 72", null, "She sold 48/2 = <<48/2=24>>24 clips.\n#### 72");
        Assert.Equal(("72", Verdict.Correct, MatchMethod.Numeric), (gsm.Reference, gsm.Verdict, gsm.Method));
        var math = Verifier.Verify("\\boxed{\\frac{14}{3}}", null, "Thus the answer is $\\boxed{\\dfrac{14}{3}}$.");
        Assert.Equal((@"\dfrac{14}{3}", Verdict.Correct), (math.Reference, math.Verdict));
    }

    [Fact]
    public void NoAnswerKeepsTheReference()
    {
        var result = Verifier.Verify("", null, "5");
        Assert.Equal(Verdict.NoAnswer, result.Verdict);
        Assert.True(result.HasReference);
        Assert.Null(result.ExtractedAnswer);
        Assert.Equal(MatchMethod.None, result.Method);
    }

    [Fact]
    public void NoReferenceStillCarriesTheAnswerForVoting()
    {
        var result = Verifier.Verify("The answer is 12.", null, null);
        Assert.Equal((Verdict.NoReference, "12", false), (result.Verdict, result.ExtractedAnswer, result.HasReference));
    }
}
