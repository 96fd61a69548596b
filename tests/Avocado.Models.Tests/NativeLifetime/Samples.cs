using TorchSharp;
using static TorchSharp.torch;

namespace Avocado.Models.Tests.NativeLifetime;

/// <summary>Shapes the check must flag (first six) and must accept (the rest); read as IL, never run.</summary>
static class Samples
{
    static readonly Scalar One = 1.ToScalar();

    public static Tensor ImplicitDouble(Tensor x) => x.mul(2.5);
    public static Tensor ImplicitInt(Tensor x) => x.masked_fill(x.gt(x), 0);
    public static Tensor InternalAlpha(Tensor x, Tensor y) => x + y;
    public static Tensor OperatorWithNumber(Tensor x) => x * 0.5;
    public static Tensor UnheldToScalar(Tensor x) => x.mul(0.5.ToScalar());
    public static Tensor ImplicitTensor(Tensor x) => where(x.gt(x), x, (Tensor)0.5);

    public static Tensor Held(Tensor x, double v)
    {
        using var s = v.ToScalar();
        return x.mul(s);
    }

    public static Tensor StaticAlpha(Tensor x, Tensor y) => x.add(y, One);
    public static Tensor NoScalar(Tensor x, Tensor y) => x.mul(y).sub(y);
}
