using Avocado.Serving.Billing;

namespace Avocado.Serving.Tests.Billing;

public sealed class MoneyTests
{
    [Theory]
    [InlineData("1", 1_000_000_000)]
    [InlineData("0.15", 150_000_000)]
    [InlineData("0.000000001", 1)]
    [InlineData("-2.5", -2_500_000_000)]
    public void Dollars_convert_to_nano_dollars_exactly(string dollars, long nano)
    {
        decimal d = decimal.Parse(dollars, System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(nano, Money.FromDollars(d));
        Assert.Equal(d, Money.ToDollars(nano));
    }

    [Fact]
    public void Sub_nano_amounts_and_overflow_are_refused()
    {
        Assert.Throws<ArgumentException>(() => Money.FromDollars(0.0000000001m));
        Assert.Throws<ArgumentOutOfRangeException>(() => Money.FromDollars(10_000_000_000m));
    }

    [Fact]
    public void Cost_rounds_up_once_per_request_and_never_overflows()
    {
        Assert.Equal(450_000, Money.Cost(1000, 500, 150_000_000, 600_000_000));    // $0.15 / $0.60 per 1M
        Assert.Equal(38, Money.Cost(1, 0, 37_500_000, 0));                        // 37.5 nano → 38
        Assert.Equal(75, Money.Cost(2, 0, 37_500_000, 0));                        // summed first, then rounded: exact
        Assert.Equal(0, Money.Cost(0, 0, 37_500_000, 1));
        Assert.Equal(1, Money.Cost(1, 0, 1, 0));                                  // never rounds down to free
        Assert.Equal(4_000_000_000_000_000_000, Money.Cost(2_000_000_000, 2_000_000_000, 1_000_000_000_000_000, 1_000_000_000_000_000)); // 10²⁷ products
        Assert.Throws<OverflowException>(() => Money.Cost(long.MaxValue, 0, long.MaxValue, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => Money.Cost(-1, 0, 1, 1));
    }

    [Fact]
    public void Format_is_exact()
    {
        Assert.Equal("$0.000000001", Money.Format(1));
        Assert.Equal("-$12.345678901", Money.Format(-12_345_678_901));
    }
}
