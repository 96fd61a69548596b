using Avocado.Training.Losses;
using TorchSharp;
using static Avocado.Training.Tests.Losses.LossTestData;
using static TorchSharp.torch;

namespace Avocado.Training.Tests.Losses;

public class DistributionStatsTests
{
    [Fact]
    public void Entropy_of_uniform_is_log_v_and_matches_the_closed_form()
    {
        using var scope = NewDisposeScope();
        Assert.Equal(Math.Log(5), Value(DistributionStats.MeanEntropy(zeros(2, 5, dtype: ScalarType.Float64))), 12);
        var rows = new[,] { { 0.5, 0.25, 0.25 }, { 0.7, 0.2, 0.1 } };
        double expected = (Entropy(0.5, 0.25, 0.25) + Entropy(0.7, 0.2, 0.1)) / 2;
        Assert.Equal(expected, Value(DistributionStats.MeanEntropy(LogitsOf(rows))), 12);
        // A ruled-out token (−∞ logit) contributes 0·log 0 = 0.
        var masked = tensor(new[,] { { 0.0, 0.0, double.NegativeInfinity } });
        Assert.Equal(Math.Log(2), Value(DistributionStats.MeanEntropy(masked)), 12);
    }

    [Fact]
    public void Top_k_entropy_treats_the_tail_as_one_bucket()
    {
        using var scope = NewDisposeScope();
        var logprobs = tensor(new[,] { { Math.Log(0.5), Math.Log(0.3) }, { Math.Log(0.5), double.NegativeInfinity }, { Math.Log(0.5), -1e9 } });
        double expected = (Entropy(0.5, 0.3, 0.2) + Math.Log(2) + Math.Log(2)) / 3;
        Assert.Equal(expected, Value(DistributionStats.MeanEntropyTopK(logprobs)), 12);

        // With the whole distribution given there is no tail: same as MeanEntropy.
        var logits = Random(70, 3, 6);
        Assert.Equal(Value(DistributionStats.MeanEntropy(logits)), Value(DistributionStats.MeanEntropyTopK(logits.log_softmax(1))), 12);
    }

    [Fact]
    public void Gradients_match_finite_differences()
    {
        using var scope = NewDisposeScope();
        GradientCheck.AssertMatchesFiniteDifferences(Random(71, 3, 7), DistributionStats.MeanEntropy);
        // Log-probabilities of a top-3 whose mass stays below 1 (the tail term is then differentiable).
        var logprobs = Random(72, 3, 3, scale: 0.5) - 2.0;
        GradientCheck.AssertMatchesFiniteDifferences(logprobs, DistributionStats.MeanEntropyTopK);
    }
}
