using Avocado.Data.Verification;

namespace Avocado.Data.Tests.Verification;

public class AnswerMarkersTests
{
    [Theory]
    [InlineData(@"so \boxed{42}.", "42")]
    [InlineData(@"\boxed{\frac{1}{2}}", @"\frac{1}{2}")]
    [InlineData(@"\boxed{\left\{ x \mid x^{2} > 1 \right\}}", @"\left\{ x \mid x^{2} > 1 \right\}")]
    [InlineData(@"first \boxed{1} then \boxed{2}", "2")]
    [InlineData(@"$\boxed 5$", "5")]
    [InlineData(@"\fbox{7}", "7")]
    [InlineData(@"\boxed{3} and \fbox{4}", "4")]
    [InlineData(@"\boxed{ 12 }", "12")]
    [InlineData(@"\boxed{1} and a cut-off \boxed{\frac{2}{", "1")] // an unclosed box gives way to an earlier one
    public void LastBoxed(string text, string expected) => Assert.Equal(expected, AnswerMarkers.LastBoxed(text));

    [Theory]
    [InlineData("no box here")]
    [InlineData(@"\boxed{")]
    [InlineData(@"\boxed{}")]
    [InlineData(@"\boxedfoo{3}")]
    public void NoBox(string text) => Assert.Null(AnswerMarkers.LastBoxed(text));

    [Theory]
    [InlineData("She has 3 + 4 = <<3+4=7>>7 apples.\n#### 7", false, "7")]
    [InlineData("work\n#### 1,000 \n", false, "1,000")]
    [InlineData("#### Step 1\nwork\n#### 72", true, "72")]
    [InlineData("#### Step 1\nthe answer follows", true, null)] // a Markdown heading, not an answer
    [InlineData("#### Step 1\nthe answer follows", false, "Step 1")]
    [InlineData("####", false, null)]
    public void AfterHashMarks(string text, bool lastLineOnly, string? expected) =>
        Assert.Equal(expected, AnswerMarkers.AfterHashMarks(text, lastLineOnly));
}
