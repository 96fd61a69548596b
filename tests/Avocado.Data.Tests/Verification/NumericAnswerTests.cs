using System.Numerics;
using Avocado.Data.Verification;

namespace Avocado.Data.Tests.Verification;

public class NumericAnswerTests
{
    [Theory]
    [InlineData("1,000", 1000, 1, false)]
    [InlineData("-0.125", -1, 8, false)]
    [InlineData(@"\frac{6}{4}", 3, 2, false)]
    [InlineData("50%", 50, 1, true)]
    [InlineData("1.5e2", 150, 1, false)]
    [InlineData("−$2.50", -5, 2, false)]
    public void ReadsExactValues(string text, long numerator, long denominator, bool percent)
    {
        Assert.True(NumericAnswer.TryParse(text, out var value, out bool isPercent), $"'{text}' should read as a number");
        Assert.Equal(new Rational(numerator, denominator), value);
        Assert.Equal(percent, isPercent);
    }

    [Theory]
    [InlineData("")]
    [InlineData("abc")]
    [InlineData(@"\sqrt{2}")]
    [InlineData("1,23")]
    [InlineData("1e999999")] // refused rather than computed
    [InlineData("3/0")]
    [InlineData("-$-3")]
    public void RefusesWhatIsNotAPlainNumber(string text) => Assert.False(NumericAnswer.TryParse(text, out _, out _));

    [Fact]
    public void DecimalsAreExactNotBinaryFloatingPoint()
    {
        Assert.True(NumericAnswer.TryParse("0.1", out var a, out _));
        Assert.True(NumericAnswer.TryParse("0.2", out var b, out _));
        Assert.True(NumericAnswer.TryParse("0.3", out var c, out _));
        Assert.Equal(c, a + b);
    }

    [Fact]
    public void HugeIntegersStayExact()
    {
        Assert.True(NumericAnswer.TryParse("123456789012345678901234567890", out var a, out _));
        Assert.True(NumericAnswer.TryParse("123,456,789,012,345,678,901,234,567,891", out var b, out _));
        Assert.NotEqual(a, b);
        Assert.Equal(BigInteger.Parse("123456789012345678901234567890"), a.Numerator);
    }

    [Fact]
    public void DefaultRationalIsZero() => Assert.Equal(Rational.Zero, default);
}
