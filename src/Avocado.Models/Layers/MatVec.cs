using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;
using System.Runtime.Intrinsics;
using Avocado.Models.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace Avocado.Models.Layers;

/// <summary>Matrix × a few vectors (one per sequence being decoded, at most <see cref="MaxRows"/>) for decoding, where every weight is read once per token and memory bandwidth is
/// the limit. LibTorch's CPU gemv reaches about half the machine's read bandwidth on small core counts; this
/// streams each weight row once with 256-bit FMAs split across cores, and reads bf16 weights directly
/// (widening to fp32 in registers) so bf16 halves the bytes per token.</summary>
/// <remarks>Used only for inference (grad disabled) on contiguous CPU weights of at most 2 GiB; everything else goes
/// to LibTorch. Accumulates in fp32, like LibTorch's own CPU kernels.</remarks>
public static unsafe class MatVec
{
    const long MaxBytes = int.MaxValue; // Tensor.bytes spans are int-indexed

    /// <summary>Beyond this many input rows the weights are reused enough that LibTorch's GEMM is the better kernel.</summary>
    public const int MaxRows = 8;

    public static bool Applies(Tensor x, Tensor weight) =>
        !is_grad_enabled() && weight.device_type == DeviceType.CPU && x.device_type == DeviceType.CPU
        && weight.dim() == 2 && x.dim() >= 1 && x.shape[^1] == weight.shape[1]
        && x.numel() / weight.shape[1] is >= 1 and <= MaxRows && weight.is_contiguous()
        && weight.dtype is ScalarType.Float32 or ScalarType.BFloat16
        && x.dtype is ScalarType.Float32 or ScalarType.BFloat16
        && weight.numel() * weight.element_size() <= MaxBytes && Vector256.IsHardwareAccelerated;

    /// <summary>x (…, in) with at most <see cref="MaxRows"/> rows, weight (out, in), bias (out) → (…, out) in x's dtype.
    /// Each weight row is read from memory once and reused from L1 for every input row.</summary>
    public static Tensor Linear(Tensor x, Tensor weight, Tensor? bias)
    {
        using var scope = NewDisposeScope();
        int rows = (int)weight.shape[0], cols = (int)weight.shape[1], inputs = (int)(x.numel() / cols);
        var input = x.to(ScalarType.Float32).contiguous();
        var bf16 = weight.dtype == ScalarType.BFloat16;
        var unpack = bf16 && Avx2.IsSupported && cols % 16 == 0;
        // The AVX2 bf16 path unpacks within 128-bit lanes, which reorders elements; permuting x once to match is
        // cheaper than restoring the order for every weight row.
        if (unpack) input = input.view(-1, 2, 2, 4).transpose(1, 2).contiguous();
        var output = empty(inputs, rows, ScalarType.Float32);
        fixed (byte* xb = input.bytes)
        fixed (byte* wb = weight.bytes)
        fixed (byte* yb = output.bytes)
        {
            var (xp, wp, yp) = ((nint)xb, (nint)wb, (nint)yb);
            // A few chunks per core balance the load without making the per-chunk overhead visible.
            int chunks = Math.Min(rows, Environment.ProcessorCount * 4);
            Parallel.For(0, chunks, c =>
            {
                int start = (int)((long)rows * c / chunks), end = (int)((long)rows * (c + 1) / chunks);
                for (int r = start; r < end; r++)
                for (int m = 0; m < inputs; m++)
                {
                    var xm = (float*)xp + (long)m * cols;
                    ((float*)yp)[(long)m * rows + r] = unpack ? DotBf16Unpacked((ushort*)wp + (long)r * cols, xm, cols)
                        : bf16 ? DotBf16((ushort*)wp + (long)r * cols, xm, cols)
                        : DotF32((float*)wp + (long)r * cols, xm, cols);
                }
            });
        }
        if (bias is not null) output.AddInPlace(bias.to(ScalarType.Float32));
        long[] shape = [.. x.shape[..^1], rows];
        return output.view(shape).to(x.dtype).MoveToOuterDisposeScope();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static float DotF32(float* w, float* x, int n)
    {
        Vector256<float> a0 = default, a1 = default, a2 = default, a3 = default;
        int i = 0;
        for (; i + 32 <= n; i += 32)
        {
            a0 = Vector256.FusedMultiplyAdd(Vector256.Load(w + i), Vector256.Load(x + i), a0);
            a1 = Vector256.FusedMultiplyAdd(Vector256.Load(w + i + 8), Vector256.Load(x + i + 8), a1);
            a2 = Vector256.FusedMultiplyAdd(Vector256.Load(w + i + 16), Vector256.Load(x + i + 16), a2);
            a3 = Vector256.FusedMultiplyAdd(Vector256.Load(w + i + 24), Vector256.Load(x + i + 24), a3);
        }
        float sum = Vector256.Sum((a0 + a1) + (a2 + a3));
        for (; i < n; i++) sum += w[i] * x[i];
        return sum;
    }

    /// <summary>bf16 row · x where x was permuted per 16 elements to [0-3, 8-11, 4-7, 12-15]: interleaving zeros
    /// below each bf16 (unpack) turns it into its fp32 value in one instruction per 8 elements.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static float DotBf16Unpacked(ushort* w, float* x, int n)
    {
        Vector256<float> a0 = default, a1 = default, a2 = default, a3 = default;
        var zero = Vector256<ushort>.Zero;
        int i = 0;
        for (; i + 32 <= n; i += 32)
        {
            var v0 = Vector256.Load(w + i);
            var v1 = Vector256.Load(w + i + 16);
            a0 = Vector256.FusedMultiplyAdd(Avx2.UnpackLow(zero, v0).AsSingle(), Vector256.Load(x + i), a0);
            a1 = Vector256.FusedMultiplyAdd(Avx2.UnpackHigh(zero, v0).AsSingle(), Vector256.Load(x + i + 8), a1);
            a2 = Vector256.FusedMultiplyAdd(Avx2.UnpackLow(zero, v1).AsSingle(), Vector256.Load(x + i + 16), a2);
            a3 = Vector256.FusedMultiplyAdd(Avx2.UnpackHigh(zero, v1).AsSingle(), Vector256.Load(x + i + 24), a3);
        }
        for (; i < n; i += 16)
        {
            var v = Vector256.Load(w + i);
            a0 = Vector256.FusedMultiplyAdd(Avx2.UnpackLow(zero, v).AsSingle(), Vector256.Load(x + i), a0);
            a1 = Vector256.FusedMultiplyAdd(Avx2.UnpackHigh(zero, v).AsSingle(), Vector256.Load(x + i + 8), a1);
        }
        return Vector256.Sum((a0 + a1) + (a2 + a3));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static float DotBf16(ushort* w, float* x, int n)
    {
        Vector256<float> a0 = default, a1 = default, a2 = default, a3 = default;
        int i = 0;
        for (; i + 32 <= n; i += 32)
        {
            // bf16 is the top half of an fp32: widen to 32 bits and shift left by 16.
            var (w0, w1) = Vector256.Widen(Vector256.Load(w + i));
            var (w2, w3) = Vector256.Widen(Vector256.Load(w + i + 16));
            a0 = Vector256.FusedMultiplyAdd(Vector256.ShiftLeft(w0, 16).AsSingle(), Vector256.Load(x + i), a0);
            a1 = Vector256.FusedMultiplyAdd(Vector256.ShiftLeft(w1, 16).AsSingle(), Vector256.Load(x + i + 8), a1);
            a2 = Vector256.FusedMultiplyAdd(Vector256.ShiftLeft(w2, 16).AsSingle(), Vector256.Load(x + i + 16), a2);
            a3 = Vector256.FusedMultiplyAdd(Vector256.ShiftLeft(w3, 16).AsSingle(), Vector256.Load(x + i + 24), a3);
        }
        float sum = Vector256.Sum((a0 + a1) + (a2 + a3));
        for (; i < n; i++) sum += BitConverter.Int32BitsToSingle(w[i] << 16) * x[i];
        return sum;
    }
}
