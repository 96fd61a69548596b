using TorchSharp;
using static TorchSharp.torch;

namespace Avocado.Testing;

public static class Tensors
{
    public static double MaxAbsDiff(Tensor a, Tensor b)
    {
        Assert.Equal(a.shape, b.shape);
        using var d = (a.to(ScalarType.Float64) - b.to(ScalarType.Float64)).abs().max();
        return d.item<double>();
    }

    public static float[] Floats(Tensor t) => t.to(ScalarType.Float32).contiguous().data<float>().ToArray();
}

public static class TensorAssert
{
    /// <summary>Same shape and bit-for-bit the same values.</summary>
    public static bool Same(Tensor a, Tensor b) =>
        a.shape.SequenceEqual(b.shape) && a.dtype == b.dtype && a.eq(b).all().item<bool>();
}
