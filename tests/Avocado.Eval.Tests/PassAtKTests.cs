using Avocado.Eval;

namespace Avocado.Eval.Tests;

public class PassAtKTests
{
    [Theory]
    // 1 − C(n−c, k) / C(n, k), worked by hand:
    [InlineData(5, 2, 2, 1 - 3.0 / 10)]      // C(3,2)=3, C(5,2)=10
    [InlineData(10, 3, 1, 0.3)]              // k = 1 is c/n
    [InlineData(10, 5, 5, 1 - 1.0 / 252)]    // C(5,5)=1, C(10,5)=252
    [InlineData(3, 1, 2, 1 - 1.0 / 3)]       // C(2,2)=1, C(3,2)=3
    [InlineData(20, 4, 3, 1 - 560.0 / 1140)] // C(16,3)=560, C(20,3)=1140
    [InlineData(4, 0, 2, 0.0)]               // nothing correct
    [InlineData(4, 3, 2, 1.0)]               // one wrong sample cannot fill a pair
    [InlineData(4, 1, 4, 1.0)]               // k = n: any correct
    [InlineData(4, 0, 4, 0.0)]
    public void Matches_hand_computed_values(int n, int c, int k, double expected) =>
        Assert.Equal(expected, PassAtK.Estimate(n, c, k), 12);

    [Fact]
    public void Equals_the_fraction_of_k_subsets_holding_a_correct_sample()
    {
        for (int n = 1; n <= 9; n++)
            for (int c = 0; c <= n; c++)
                for (int k = 1; k <= n; k++)
                {
                    // Samples 0..c-1 are the correct ones; count every k-subset of the n samples as a bit mask.
                    int subsets = 0, hits = 0;
                    for (int mask = 0; mask < 1 << n; mask++)
                    {
                        if (System.Numerics.BitOperations.PopCount((uint)mask) != k) continue;
                        subsets++;
                        if ((mask & ((1 << c) - 1)) != 0) hits++;
                    }
                    Assert.True(Math.Abs((double)hits / subsets - PassAtK.Estimate(n, c, k)) < 1e-12, $"n={n} c={c} k={k}");
                }
    }

    [Fact]
    public void Stays_exact_where_binomials_overflow() =>
        // C(2000, 1000) ≈ 2e600 overflows a double; the product form does not. Reference: Python's
        // 1 - Fraction(comb(1990, 1000), comb(2000, 1000)) in exact integers.
        Assert.Equal(0.9990452674173292, PassAtK.Estimate(2000, 10, 1000), 12);

    [Theory]
    [InlineData(0, 0, 1)]
    [InlineData(3, 4, 1)]
    [InlineData(3, -1, 1)]
    [InlineData(3, 1, 0)]
    [InlineData(3, 1, 4)]
    public void Rejects_impossible_counts(int n, int c, int k) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => PassAtK.Estimate(n, c, k));

    [Fact]
    public void Percentiles_are_nearest_rank()
    {
        var tens = Enumerable.Range(1, 10).Select(i => 10.0 * i).ToList();
        Assert.Equal(50, EvalRunner.Percentile(tens, 0.50));
        Assert.Equal(100, EvalRunner.Percentile(tens, 0.95));
        var twenty = Enumerable.Range(1, 20).Select(i => (double)i).ToList();
        Assert.Equal(10, EvalRunner.Percentile(twenty, 0.50));
        Assert.Equal(19, EvalRunner.Percentile(twenty, 0.95)); // ceil(0.95 · 20) = 19th value
        Assert.Equal(7, EvalRunner.Percentile([7.0], 0.95));
    }
}
