using Avocado.Models.Layers;
using TorchSharp;
using static TorchSharp.torch;

namespace Avocado.Models.Tests.Architectures;

/// <summary>The decode kernel against LibTorch's linear on the same weights (sizes off the SIMD widths included).</summary>
public class MatVecTests
{
    [Theory]
    [InlineData(ScalarType.Float32, 64, 96, 3)]
    [InlineData(ScalarType.BFloat16, 40, 96, 8)]
    [InlineData(ScalarType.Float32, 64, 96)]
    [InlineData(ScalarType.Float32, 7, 1000)]
    [InlineData(ScalarType.BFloat16, 64, 96)]
    [InlineData(ScalarType.BFloat16, 33, 1040)]
    [InlineData(ScalarType.BFloat16, 5, 1001)]
    public void Matches_libtorch_linear(ScalarType dtype, int rows, int cols, int inputs = 1)
    {
        using var _ = no_grad();
        var g = new Generator(1);
        var w = randn(rows, cols, generator: g).to(dtype);
        var b = randn(rows, generator: g).to(dtype);
        var x = randn(inputs, 1, cols, generator: g).to(dtype);
        Assert.True(MatVec.Applies(x, w));
        var expected = nn.functional.linear(x.to(ScalarType.Float32), w.to(ScalarType.Float32), b.to(ScalarType.Float32));
        var actual = MatVec.Linear(x, w, b);
        Assert.Equal(dtype, actual.dtype);
        Assert.Equal(expected.shape, actual.shape);
        // bf16 output keeps 8 significant bits: allow one rounding step of the largest value.
        var tolerance = dtype == ScalarType.Float32 ? 1e-4 : expected.abs().max().item<float>() / 128;
        Assert.True(Tensors.MaxAbsDiff(expected, actual) <= tolerance, $"diff {Tensors.MaxAbsDiff(expected, actual)}");
    }

    [Fact]
    public void Not_used_when_gradients_are_needed_or_for_several_rows()
    {
        var w = randn(4, 8);
        Assert.False(MatVec.Applies(randn(MatVec.MaxRows + 1, 8), w));
        using (no_grad()) Assert.True(MatVec.Applies(randn(1, 8), w));
        Assert.False(MatVec.Applies(randn(1, 8), w)); // grad mode on: training must go through autograd
    }
}
