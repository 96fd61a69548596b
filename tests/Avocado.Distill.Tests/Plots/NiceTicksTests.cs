using Avocado.Distill.Plots;

namespace Avocado.Distill.Tests.Plots;

public class NiceTicksTests
{
    [Fact]
    public void ZeroToPointNineThreeTicksInFifths()
    {
        var axis = NiceTicks.Linear(0, 0.93, 5);
        Assert.Equal([0, 0.2, 0.4, 0.6, 0.8, 1.0], axis.Ticks);
        Assert.Equal((0.0, 1.0, 0.2), (axis.Min, axis.Max, axis.Step));
        Assert.Equal(["0", "0.2", "0.4", "0.6", "0.8", "1"], axis.Ticks.Select(axis.Label));
    }

    [Fact]
    public void TinyRangesGetExponentLabels()
    {
        var axis = NiceTicks.Linear(1e-5, 3e-5, 5);
        Assert.Equal([1e-5, 1.5e-5, 2e-5, 2.5e-5, 3e-5], axis.Ticks);
        Assert.Equal(["1e-05", "1.5e-05", "2e-05", "2.5e-05", "3e-05"], axis.Ticks.Select(axis.Label));
    }

    [Fact]
    public void NegativeRangesAreCoveredByWholeSteps()
    {
        var axis = NiceTicks.Linear(-7.3, -1.2, 6);
        Assert.Equal([-8, -7, -6, -5, -4, -3, -2, -1], axis.Ticks);
        Assert.Equal("-8", axis.Label(-8));

        var across = NiceTicks.Linear(-0.37, 0.81, 6);
        Assert.Equal([-0.4, -0.2, 0, 0.2, 0.4, 0.6, 0.8, 1.0], across.Ticks);
        Assert.Contains("0", across.Ticks.Select(across.Label));
    }

    [Fact]
    public void ReversedArgumentsGiveTheSameAxis()
    {
        Assert.Equal(NiceTicks.Linear(3, 17).Ticks, NiceTicks.Linear(17, 3).Ticks);
    }

    [Theory]
    [InlineData(5.0, 4.5, 5.5)]
    [InlineData(0.0, -1, 1)]
    [InlineData(-200.0, -220, -180)]
    public void AFlatRangeIsPaddedAroundTheValue(double value, double lo, double hi)
    {
        var axis = NiceTicks.Linear(value, value);
        Assert.True(axis.Min <= lo && axis.Max >= hi, $"[{axis.Min}, {axis.Max}] should cover [{lo}, {hi}]");
        Assert.InRange(axis.Fraction(value), 0.25, 0.75);
    }

    [Fact]
    public void RandomRangesGetEvenNiceCoveringTicks()
    {
        var random = new Random(7);
        for (int i = 0; i < 2000; i++)
        {
            double scale = Math.Pow(10, random.Next(-12, 13));
            double a = (random.NextDouble() * 2 - 1) * scale, b = a + random.NextDouble() * scale + scale * 1e-6;
            var axis = NiceTicks.Linear(a, b, 6);
            Assert.True(axis.Min <= a && axis.Max >= b, $"[{axis.Min}, {axis.Max}] does not cover [{a}, {b}]");
            Assert.InRange(axis.Ticks.Count, 3, 12);
            double mantissa = axis.Step / Math.Pow(10, Math.Floor(Math.Log10(axis.Step) + 1e-9));
            Assert.Contains(Math.Round(mantissa, 6), new[] { 1.0, 2.0, 5.0 });
            for (int k = 1; k < axis.Ticks.Count; k++)
                Assert.Equal(axis.Step, axis.Ticks[k] - axis.Ticks[k - 1], axis.Step * 1e-6);
            // Labels must tell neighbouring ticks apart.
            var labels = axis.Ticks.Select(axis.Label).ToList();
            Assert.Equal(labels.Count, labels.Distinct().Count());
        }
    }

    [Theory]
    [InlineData(0.0, "0")]
    [InlineData(0.001, "0.001")]
    [InlineData(0.25, "0.25")]
    [InlineData(1500.0, "1.5k")]
    [InlineData(-1500.0, "-1.5k")]
    [InlineData(2e-5, "2e-05")]
    [InlineData(2.5e6, "2.5M")]
    [InlineData(3e9, "3B")]
    [InlineData(1.2e13, "12T")]
    [InlineData(4e17, "4e+17")]
    [InlineData(12.5, "12.5")]
    [InlineData(double.NaN, "nan")]
    [InlineData(double.PositiveInfinity, "inf")]
    public void CompactFormat(double value, string expected) => Assert.Equal(expected, NiceTicks.Format(value));

    [Fact]
    public void FormatUsesTheStepToChooseDecimals()
    {
        Assert.Equal("1.5k", NiceTicks.Format(1500, 500));
        Assert.Equal("1.25k", NiceTicks.Format(1250, 250));
        Assert.Equal("10.001k", NiceTicks.Format(10001, 1));
        Assert.Equal("0.3", NiceTicks.Format(0.1 + 0.2, 0.1));
        Assert.Equal("0", NiceTicks.Format(0.1 + 0.2 - 0.3, 0.1));
    }

    [Fact]
    public void LogAxesTickOnDecades()
    {
        var axis = NiceTicks.Log(0.003, 420);
        Assert.Equal([0.001, 0.01, 0.1, 1, 10, 100, 1000], axis.Ticks);
        Assert.Equal(["0.001", "0.01", "0.1", "1", "10", "100", "1k"], axis.Ticks.Select(axis.Label));
        Assert.Equal(0.5, axis.Fraction(Math.Sqrt(0.001 * 1000)), 12);
    }

    [Fact]
    public void NarrowLogAxesAlsoTickOnTwoAndFive()
    {
        var axis = NiceTicks.Log(2, 8);
        Assert.Equal([1, 2, 5, 10], axis.Ticks);
        var wide = NiceTicks.Log(1e-9, 1e9, maxTicks: 8);
        Assert.True(wide.Ticks.Count <= 10, $"{wide.Ticks.Count} ticks");
        Assert.Equal(1e-9, wide.Ticks[0]);
    }

    [Fact]
    public void BadRangesFailWithTheRangeNamed()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => NiceTicks.Linear(0, double.NaN));
        Assert.Contains("finite", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => NiceTicks.Log(0, 10));
        Assert.Throws<ArgumentOutOfRangeException>(() => NiceTicks.Log(-1, 10));
    }
}
