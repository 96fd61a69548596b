using Avocado.Training.Losses;
using TorchSharp;
using static Avocado.Training.Tests.Losses.LossTestData;
using static TorchSharp.torch;

namespace Avocado.Training.Tests.Losses;

public class SequenceLossTests
{
    [Fact]
    public void Cross_entropy_matches_the_closed_form()
    {
        using var scope = NewDisposeScope();
        var logits = tensor(new double[,] { { 1, 2, 3 }, { 0, 0, 0 } });
        var targets = tensor(new long[] { 2, 1 });
        double row0 = Math.Log(Math.Exp(1) + Math.Exp(2) + Math.Exp(3)) - 3; // −log softmax(1,2,3)[2]
        double row1 = Math.Log(3);                                         // uniform over 3
        Assert.Equal((row0 + row1) / 2, Value(SequenceLoss.CrossEntropy(logits, targets)), 12);
        Assert.Equal(ScalarType.Float32, SequenceLoss.CrossEntropy(logits.to(ScalarType.BFloat16), targets).dtype);
    }

    [Fact]
    public void Gradient_matches_finite_differences()
    {
        using var scope = NewDisposeScope();
        var targets = tensor(new long[] { 0, 6, 3 });
        GradientCheck.AssertMatchesFiniteDifferences(Random(60, 3, 7), x => SequenceLoss.CrossEntropy(x, targets));
    }

    [Fact]
    public void Bad_targets_are_errors()
    {
        using var scope = NewDisposeScope();
        var logits = Random(61, 2, 3);
        Assert.Throws<ArgumentOutOfRangeException>(() => SequenceLoss.CrossEntropy(logits, tensor(new long[] { 0, 3 })));
        Assert.Throws<ArgumentOutOfRangeException>(() => SequenceLoss.CrossEntropy(logits, tensor(new long[] { -100, 1 })));
        Assert.Throws<ArgumentException>(() => SequenceLoss.CrossEntropy(logits, tensor(new long[] { 0, 1, 2 })));
        Assert.Throws<ArgumentException>(() => SequenceLoss.CrossEntropy(logits, tensor(new double[] { 0, 1 })));
        Assert.Throws<ArgumentException>(() => SequenceLoss.CrossEntropy(logits.narrow(0, 0, 0), tensor(Array.Empty<long>())));
    }
}
