using TorchSharp;
using static TorchSharp.torch;

namespace Avocado.Training.Tests.Losses;

/// <summary>Compares autograd's gradient of a scalar loss with central finite differences, in float64 (the losses keep
/// float64 inputs in float64 precisely so this check can be tight).</summary>
internal static class GradientCheck
{
    internal static void AssertMatchesFiniteDifferences(Tensor x0, Func<Tensor, Tensor> loss, double step = 1e-6, double tolerance = 1e-6)
    {
        using var scope = NewDisposeScope();
        Assert.Equal(ScalarType.Float64, x0.dtype);
        var x = x0.detach().clone().requires_grad_(true);
        var value = loss(x);
        Assert.Equal(ScalarType.Float64, value.dtype);
        value.backward();
        var analytic = x.grad!.data<double>().ToArray();
        Assert.All(analytic, g => Assert.True(double.IsFinite(g), "gradient has NaN/∞"));
        // An all-zero gradient would agree with finite differences of a constant: make sure the check has teeth.
        Assert.Contains(analytic, g => Math.Abs(g) > 1e-4);

        var baseline = x0.data<double>().ToArray();
        using var _ = no_grad();
        for (int i = 0; i < baseline.Length; i++)
        {
            double At(double delta)
            {
                var shifted = (double[])baseline.Clone();
                shifted[i] += delta;
                return loss(tensor(shifted, x0.shape)).item<double>();
            }
            double numeric = (At(step) - At(-step)) / (2 * step);
            Assert.True(Math.Abs(analytic[i] - numeric) <= tolerance * Math.Max(1.0, Math.Abs(numeric)),
                $"element {i}: autograd {analytic[i]:G10} vs finite difference {numeric:G10}");
        }
    }
}
