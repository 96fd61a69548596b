using Avocado.Training.Losses;
using TorchSharp;
using static Avocado.Training.Tests.Losses.LossTestData;
using static TorchSharp.torch;

namespace Avocado.Training.Tests.Losses;

/// <summary>Every loss runs in its own dispose scope: the caller's scope gains exactly the returned scalar, so a
/// training step never leaks the (N, V) intermediates into native memory.</summary>
public class LossScopeTests
{
    [Fact]
    public void Each_loss_leaves_only_its_result_in_the_callers_scope()
    {
        using var scope = NewDisposeScope();
        var s = Random(80, 3, 7).to(ScalarType.BFloat16);
        var t = Random(81, 3, 7);
        var targets = tensor(new long[] { 1, 2, 3 });
        var ids = tensor(new long[,] { { 0, 1 }, { 2, -1 }, { -1, -1 } });
        var logprobs = tensor(new[,] { { -1.0, -2.0 }, { -1.0, -2.0 }, { -1.0, -2.0 } });
        var probs = logprobs.exp();
        foreach (var loss in new Func<Tensor>[]
                 {
                     () => SequenceLoss.CrossEntropy(s, targets),
                     () => LogitLosses.ForwardKl(s, t, 2.0), () => LogitLosses.ReverseKl(s, t), () => LogitLosses.GeneralizedJsd(s, t, 0.5),
                     () => TopKLoss.Kl(s, ids, logprobs), () => UldLoss.Loss(s, probs),
                     () => DistributionStats.MeanEntropy(s), () => DistributionStats.MeanEntropyTopK(logprobs),
                 })
        {
            int before = scope.DisposablesCount;
            var result = loss();
            Assert.Equal(0, result.dim());
            Assert.Equal(before + 1, scope.DisposablesCount);
        }
    }
}
