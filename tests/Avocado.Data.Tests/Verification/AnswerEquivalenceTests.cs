using Avocado.Data.Verification;

namespace Avocado.Data.Tests.Verification;

public class AnswerEquivalenceTests
{
    [Theory]
    // thousands separators, decimals, trailing zeros, exponents
    [InlineData("1,000", "1000")]
    [InlineData("1000", "1,000")]
    [InlineData("1,234,567.50", "1234567.5")]
    [InlineData("3.00", "3")]
    [InlineData("3.", "3")]
    [InlineData(".5", "0.5")]
    [InlineData("1e3", "1000")]
    [InlineData("2.5E-1", "0.25")]
    [InlineData(@"2 \times 10^{3}", "2000")]
    // fractions
    [InlineData("1/2", "0.5")]
    [InlineData("0.5", "1/2")]
    [InlineData(@"\frac{1}{2}", "0.5")]
    [InlineData(@"\dfrac{3}{4}", "0.75")]
    [InlineData(@"\frac12", "1/2")]
    [InlineData(@"-\frac{3}{4}", "-0.75")]
    [InlineData(@"\frac{-3}{4}", "-3/4")]
    [InlineData("2/4", "1/2")]
    // currency, units, signs
    [InlineData("$3.00", "3")]
    [InlineData(@"\$3", "3.00")]
    [InlineData("-$3", "-3")]
    [InlineData("3€", "3")]
    [InlineData("5 cm", "5")]
    [InlineData(@"5\text{ cm}", "5")]
    [InlineData("5cm", "5")]
    [InlineData("12 apples", "12")]
    [InlineData("60 km/h", "60")]
    [InlineData("25 m^2", "25")]
    [InlineData("−3", "-3")]
    [InlineData("-3", "−3")]
    [InlineData("+7", "7")]
    [InlineData("90^\\circ", "90")]
    [InlineData("90°", "90")]
    // percentages: as written, and answer = reference/100 when only the reference has %
    [InlineData("50%", "50%")]
    [InlineData("50", "50%")]
    [InlineData("0.5", "50%")]
    [InlineData(@"50\%", "50")]
    [InlineData("50 percent", "50%")]
    // wrapping
    [InlineData("$42$", "42")]
    [InlineData("**42**", "42")]
    [InlineData(@"\(42\)", "42")]
    [InlineData("42.", "42")]
    [InlineData("x = 5", "5")]
    // a sentence with exactly one number, against a numeric reference
    [InlineData("The total is 42 dollars", "42")]
    [InlineData("She has $1,250.50 left over", "1250.5")]
    [InlineData("It drops to -3 degrees", "−3")]
    // choices
    [InlineData("B", "B")]
    [InlineData("(B)", "B")]
    [InlineData("**C**", "(C)")]
    [InlineData("b", "B")]
    [InlineData("(D) 17", "D")]
    [InlineData("Option E", "E")]
    [InlineData(@"$\text{(A)}$", "A")]
    // strings
    [InlineData("Paris", "paris")]
    [InlineData("  New   York ", "new york")]
    [InlineData(@"\text{Tuesday}", "Tuesday")]
    [InlineData("x^2 + 1", "x^2+1")]
    [InlineData(@"\left( 1, 2 \right)", "(1,2)")]
    [InlineData("(1, 2.0)", "(1,2)")]
    [InlineData(@"(\frac{1}{2}, 3]", "(0.5, 3]")]
    [InlineData(@"2\sqrt2", @"2\sqrt{2}")]
    [InlineData(@"\frac{\sqrt{3}}{2}", @"\dfrac{\sqrt3}{2}")]
    public void Equivalent(string answer, string reference)
    {
        var match = AnswerEquivalence.Compare(answer, reference);
        Assert.True(match.Equivalent, $"'{answer}' should equal '{reference}' (compared as {match.Method})");
    }

    [Theory]
    [InlineData("1,2", "12")] // a list, not a thousands separator
    [InlineData("1000", "100")]
    [InlineData("3", "-3")]
    [InlineData("−3", "3")]
    [InlineData("0.333", "1/3")] // exact: no rounding
    [InlineData("50%", "0.5")] // /100 only when the reference carries the %
    [InlineData("0.5%", "50%")]
    [InlineData("5x", "5")] // an expression, not a unit
    [InlineData("2 pi", "2")]
    [InlineData("1 1/2", "1")]
    [InlineData("5 more than 3 apples", "3")] // two numbers: which one is meant?
    [InlineData("about 2 pi radians", "2")] // "2 pi" is not the number 2
    [InlineData("x2 is the total", "2")] // a name, not a number
    [InlineData("B", "C")]
    [InlineData("(B) 17", "C")]
    [InlineData("17", "B")]
    [InlineData("A. Smith", "A. Jones")] // a name that starts like a choice is not one
    [InlineData("(1, 2)", "[1, 2]")] // open and closed intervals differ
    [InlineData("(1, 2)", "(2, 1)")]
    [InlineData("(1, 2, 3)", "(1, 2)")]
    [InlineData("Paris", "London")]
    [InlineData("", "0")]
    [InlineData("1/0", "0")]
    public void NotEquivalent(string answer, string reference)
    {
        var match = AnswerEquivalence.Compare(answer, reference);
        Assert.False(match.Equivalent, $"'{answer}' should differ from '{reference}' (compared as {match.Method})");
    }

    [Theory]
    [InlineData("1,000", "1000", MatchMethod.Numeric)]
    [InlineData("(B)", "B", MatchMethod.Choice)]
    [InlineData("17", "B", MatchMethod.Choice)]
    [InlineData("(1,2)", "(1, 2)", MatchMethod.Tuple)]
    [InlineData("Paris", "paris", MatchMethod.Exact)]
    public void ReportsTheMethodThatDecided(string answer, string reference, MatchMethod expected) =>
        Assert.Equal(expected, AnswerEquivalence.Compare(answer, reference).Method);

    [Theory]
    [InlineData("1,000", "1e3")]
    [InlineData("0.5", @"\frac{1}{2}")]
    [InlineData("$3.00", "3")]
    [InlineData("(B)", "**B**")]
    [InlineData("New York.", "new  york")]
    [InlineData("x = 4", "4")]
    public void EqualAnswersShareACanonicalKey(string first, string second) =>
        Assert.Equal(AnswerEquivalence.CanonicalKey(first), AnswerEquivalence.CanonicalKey(second));

    [Theory]
    [InlineData("1,000", "100")]
    [InlineData("B", "C")]
    [InlineData("Paris", "London")]
    public void DifferentAnswersHaveDifferentKeys(string first, string second) =>
        Assert.NotEqual(AnswerEquivalence.CanonicalKey(first), AnswerEquivalence.CanonicalKey(second));

    [Fact]
    public void EmptyAnswerHasNoKey() => Assert.Null(AnswerEquivalence.CanonicalKey("  "));
}
