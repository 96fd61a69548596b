using Avocado.Data.Verification;

namespace Avocado.Data.Tests.Verification;

public class AnswerExtractorTests
{
    public static TheoryData<string?, string?, string, ExtractionMethod, AnswerLocation> Cases() => new()
    {
        { "Adding them: 3 + 4 = 7\n#### 7", null, "7", ExtractionMethod.HashMarks, AnswerLocation.Final },
        { "So x is \\boxed{\\frac{\\sqrt{3}}{2}}.", null, "\\frac{\\sqrt{3}}{2}", ExtractionMethod.Boxed, AnswerLocation.Final },
        { "I tried \\boxed{3} first, but the total is \\boxed{5}.", null, "5", ExtractionMethod.Boxed, AnswerLocation.Final },
        { "#### Working\nWe add 2 and 2.\n\\boxed{4}", null, "4", ExtractionMethod.Boxed, AnswerLocation.Final },
        { "The answer is 42.", null, "42", ExtractionMethod.AnswerIs, AnswerLocation.Final },
        { "Therefore the final answer is $1,000. Let me double-check: yes.", null, "$1,000", ExtractionMethod.AnswerIs, AnswerLocation.Final },
        { "The answer is 3.5", null, "3.5", ExtractionMethod.AnswerIs, AnswerLocation.Final },
        { "The answer is (B).", null, "(B)", ExtractionMethod.AnswerIs, AnswerLocation.Final },
        { "The answer is 12, which is even.", null, "12", ExtractionMethod.AnswerIs, AnswerLocation.Final },
        { "The answer is **-7**", null, "-7", ExtractionMethod.AnswerIs, AnswerLocation.Final },
        { "Work...\nAnswer: 17", null, "17", ExtractionMethod.AnswerLabel, AnswerLocation.Final },
        { "Work...\n**Final Answer:** $\\frac{1}{2}$", null, "\\frac{1}{2}", ExtractionMethod.AnswerLabel, AnswerLocation.Final },
        { "Work...\n### Final Answer\n\n**18**", null, "18", ExtractionMethod.AnswerLabel, AnswerLocation.Final },
        { "The answer is 3, I thought.\nAnswer: 4", null, "4", ExtractionMethod.AnswerLabel, AnswerLocation.Final },
        { "Answer: 4\nOn reflection, the answer is 5.", null, "5", ExtractionMethod.AnswerIs, AnswerLocation.Final },
        { "Comparing the options, only one fits.\n\n**C**", null, "C", ExtractionMethod.ChoiceLetter, AnswerLocation.Final },
        { "Comparing the options:\n(B)", null, "(B)", ExtractionMethod.ChoiceLetter, AnswerLocation.Final },
        { "She pays 4 * 3 = 12 dollars, so she has 20 - 12 = 8 left.", null, "8", ExtractionMethod.LastNumber, AnswerLocation.Final },
        { "The loss is −3 degrees in total", null, "−3", ExtractionMethod.LastNumber, AnswerLocation.Final },
        { "It costs $1,250.50 in all", null, "$1,250.50", ExtractionMethod.LastNumber, AnswerLocation.Final },
        // the final answer wins over the reasoning, even a weak form over a boxed draft
        { "So she has 9 apples.", "Maybe \\boxed{8}? Let me recount.", "9", ExtractionMethod.LastNumber, AnswerLocation.Final },
        { "The answer is 9.", "The answer is 8.", "9", ExtractionMethod.AnswerIs, AnswerLocation.Final },
        // no answer in the final part (cut off): explicit markers in the reasoning count
        { null, "... adding up, the total is \\boxed{12}", "12", ExtractionMethod.Boxed, AnswerLocation.Reasoning },
        { "", "so the answer is 30. Now to write it up", "30", ExtractionMethod.AnswerIs, AnswerLocation.Reasoning },
        // an unparsed think block in the final text is split off
        { "<think>maybe \\boxed{1}</think>The answer is 2.", null, "2", ExtractionMethod.AnswerIs, AnswerLocation.Final },
        { "<think>so \\boxed{1}</think>", null, "1", ExtractionMethod.Boxed, AnswerLocation.Reasoning },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Extracts(string? final, string? reasoning, string expected, ExtractionMethod method, AnswerLocation location)
    {
        var found = AnswerExtractor.Extract(final, reasoning);
        Assert.NotNull(found);
        Assert.Equal((expected, method, location), (found.Text, found.Method, found.Location));
    }

    [Theory]
    [InlineData(null, null)]
    [InlineData("", "")]
    [InlineData("I am not sure how to solve this.", null)]
    [InlineData(null, "We have 3 apples and 4 pears, so")] // a half-finished thought's last number is no answer
    public void FindsNothing(string? final, string? reasoning) => Assert.Null(AnswerExtractor.Extract(final, reasoning));

    [Fact]
    public void OptionsTurnFallbacksOff()
    {
        var strict = new AnswerExtractionOptions { SearchReasoning = false, LastNumberFallback = false };
        Assert.Null(AnswerExtractor.Extract("so 8 in total", null, strict));
        Assert.Null(AnswerExtractor.Extract(null, "\\boxed{8}", strict));
        Assert.NotNull(AnswerExtractor.Extract("so 8 in total", null));
    }
}
