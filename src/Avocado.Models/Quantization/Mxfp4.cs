using Avocado.Models.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace Avocado.Models.Quantization;

/// <summary>OCP Microscaling FP4 (MXFP4): 32 FP4 E2M1 values share one E8M0 scale, as gpt-oss stores its experts.</summary>
/// <remarks>blocks (…, G, 16) bytes: byte j holds element 2j in the low nibble and 2j+1 in the high nibble;
/// scales (…, G) bytes: the shared exponent, biased by 127. Value = FP4[nibble] · 2^(scale − 127).</remarks>
public static class Mxfp4
{
    /// <summary>FP4 E2M1: sign bit, 2 exponent bits, 1 mantissa bit.</summary>
    public static readonly float[] Fp4Values = [0f, 0.5f, 1f, 1.5f, 2f, 3f, 4f, 6f, -0f, -0.5f, -1f, -1.5f, -2f, -3f, -4f, -6f];

    /// <summary>blocks (…, G, 16) and scales (…, G) → float32 (…, G·32). Works one leading slice at a time so
    /// the int64 temporaries stay small for 20B-parameter checkpoints.</summary>
    public static Tensor Dequantize(Tensor blocks, Tensor scales)
    {
        if (blocks.dtype != ScalarType.Byte || scales.dtype != ScalarType.Byte)
            throw new ArgumentException("MXFP4 blocks and scales must be uint8 tensors");
        if (blocks.dim() < 2 || blocks.shape[^1] != 16 || !scales.shape.SequenceEqual(blocks.shape[..^1]))
            throw new ArgumentException($"MXFP4 shapes do not match: blocks [{string.Join(",", blocks.shape)}] " +
                                        $"must be [..., G, 16] and scales [..., G], got [{string.Join(",", scales.shape)}]");
        if (blocks.dim() > 2 && blocks.shape[0] > 1)
        {
            var slices = Enumerable.Range(0, (int)blocks.shape[0]).Select(i => Dequantize(blocks[i], scales[i])).ToArray();
            var stacked = stack(slices);
            foreach (var s in slices) s.Dispose();
            return stacked;
        }
        using var scope = NewDisposeScope();
        var lut = tensor(Fp4Values);
        var low = blocks.bitwise_and(tensor((byte)0x0F)).to(ScalarType.Int64);
        var high = blocks.bitwise_right_shift(tensor((byte)4)).to(ScalarType.Int64);
        var nibbles = stack([low, high], -1).flatten(-2);                         // (…, G, 32)
        var values = lut.index_select(0, nibbles.flatten()).view(nibbles.shape);
        var exponents = scales.to(ScalarType.Int32).Sub(127);
        var factors = pow(tensor(2f), exponents.to(ScalarType.Float32)).unsqueeze(-1); // 2^(scale − 127)
        return (values * factors).flatten(-2).MoveToOuterDisposeScope();            // (…, G·32)
    }
}
