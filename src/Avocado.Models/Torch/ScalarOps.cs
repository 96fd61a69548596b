using TorchSharp;
using static TorchSharp.torch;

namespace Avocado.Models.Torch;

/// <summary>
/// Tensor–number arithmetic whose native <see cref="Scalar"/> stays alive until libtorch has read it: the one way
/// numbers reach libtorch in this code base. Why: TorchSharp turns a number into a Scalar implicitly (and its own
/// <c>a + b</c> passes an implicit alpha of 1); the managed wrapper of such a temporary is unreachable once its handle
/// is read, so a collection during the call can finalize it and free the scalar mid-read — "Unknown scalar type",
/// "Expected false to be true … toDouble", wrong numbers (docs/TORCHSHARP.md). PascalCase twins of torch's methods;
/// ScalarTemporariesTests fails the build's tests on any other way in.
/// </summary>
public static class ScalarOps
{
    /// <summary>Process-lifetime constants (static readonly: never finalized).</summary>
    public static readonly Scalar Zero = 0.ToScalar(), One = 1.ToScalar();

    public static Tensor Add(this Tensor a, Tensor b) => a.add(b, One);
    public static Tensor AddInPlace(this Tensor a, Tensor b) => a.add_(b, One);

    public static Tensor Add(this Tensor a, double value)
    {
        using var s = value.ToScalar();
        return a.add(s, One);
    }

    public static Tensor Sub(this Tensor a, double value)
    {
        using var s = value.ToScalar();
        return a.sub(s);
    }

    /// <summary><paramref name="value"/> − <paramref name="a"/>.</summary>
    public static Tensor RSub(this Tensor a, double value)
    {
        using var s = value.ToScalar();
        return a.neg().add_(s, One);
    }

    public static Tensor Mul(this Tensor a, double value)
    {
        using var s = value.ToScalar();
        return a.mul(s);
    }

    public static Tensor MulInPlace(this Tensor a, double value)
    {
        using var s = value.ToScalar();
        return a.mul_(s);
    }

    public static Tensor Div(this Tensor a, double value)
    {
        using var s = value.ToScalar();
        return a.div(s);
    }

    public static Tensor Remainder(this Tensor a, long value)
    {
        using var s = value.ToScalar();
        return a.remainder(s);
    }

    public static Tensor Pow(this Tensor a, double exponent)
    {
        using var s = exponent.ToScalar();
        return a.pow(s);
    }

    public static Tensor MaskedFill(this Tensor a, Tensor mask, double value)
    {
        using var s = value.ToScalar();
        return a.masked_fill(mask, s);
    }

    public static Tensor ClampMin(this Tensor a, double min)
    {
        using var s = min.ToScalar();
        return a.clamp_min(s);
    }

    public static Tensor ClampMax(this Tensor a, double max)
    {
        using var s = max.ToScalar();
        return a.clamp_max(s);
    }

    public static Tensor Clamp(this Tensor a, double min, double max)
    {
        using var lo = min.ToScalar();
        using var hi = max.ToScalar();
        return a.clamp(lo, hi);
    }

    public static Tensor Eq(this Tensor a, double value)
    {
        using var s = value.ToScalar();
        return a.eq(s);
    }

    public static Tensor Gt(this Tensor a, double value)
    {
        using var s = value.ToScalar();
        return a.gt(s);
    }

    public static Tensor Ge(this Tensor a, double value)
    {
        using var s = value.ToScalar();
        return a.ge(s);
    }

    public static Tensor Lt(this Tensor a, double value)
    {
        using var s = value.ToScalar();
        return a.lt(s);
    }

    public static Tensor Le(this Tensor a, double value)
    {
        using var s = value.ToScalar();
        return a.le(s);
    }

    // Integer twins: a floating-point Scalar would promote an integer tensor to floating point (as in PyTorch:
    // int64 positions − 1.0 is float), so integer literals pick these and keep the tensor's dtype.

    public static Tensor Add(this Tensor a, long value)
    {
        using var s = value.ToScalar();
        return a.add(s, One);
    }

    public static Tensor Sub(this Tensor a, long value)
    {
        using var s = value.ToScalar();
        return a.sub(s);
    }

    public static Tensor ClampMin(this Tensor a, long value)
    {
        using var s = value.ToScalar();
        return a.clamp_min(s);
    }

    public static Tensor ClampMax(this Tensor a, long value)
    {
        using var s = value.ToScalar();
        return a.clamp_max(s);
    }

    public static Tensor Eq(this Tensor a, long value)
    {
        using var s = value.ToScalar();
        return a.eq(s);
    }

    public static Tensor Gt(this Tensor a, long value)
    {
        using var s = value.ToScalar();
        return a.gt(s);
    }

    public static Tensor Ge(this Tensor a, long value)
    {
        using var s = value.ToScalar();
        return a.ge(s);
    }

    public static Tensor Lt(this Tensor a, long value)
    {
        using var s = value.ToScalar();
        return a.lt(s);
    }

    public static Tensor Le(this Tensor a, long value)
    {
        using var s = value.ToScalar();
        return a.le(s);
    }

    /// <summary>int64 [start, end).</summary>
    public static Tensor Arange(long start, long end, Device device)
    {
        using var from = start.ToScalar();
        using var to = end.ToScalar();
        return arange(from, to, One, ScalarType.Int64, device);
    }

    public static Tensor Full(long[] shape, long value, ScalarType dtype, Device device)
    {
        using var s = value.ToScalar();
        return full(shape, s, dtype, device);
    }

    /// <summary>Same shape, dtype and device as <paramref name="like"/> (the dtype is given explicitly: left to
    /// TorchSharp, a floating-point Scalar would make an integer tensor floating-point).</summary>
    public static Tensor FullLike(Tensor like, double value)
    {
        using var s = value.ToScalar();
        return full_like(like, s, like.dtype, like.device);
    }
}
