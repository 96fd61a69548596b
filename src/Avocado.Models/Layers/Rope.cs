using Avocado.Models.Config;
using Avocado.Models.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace Avocado.Models.Layers;

/// <summary>Rotary position embedding in the rotate-half (NeoX) layout used by all three families:
/// for i &lt; d/2, <c>x'[i] = x[i]·cos − x[i+d/2]·sin</c>, <c>x'[i+d/2] = x[i+d/2]·cos + x[i]·sin</c>.</summary>
/// <remarks>Reference: transformers <c>modeling_rope_utils.py</c> (default, linear and yarn).</remarks>
public sealed class Rope
{
    /// <summary>Inverse frequency of each rotated pair, length d/2.</summary>
    public double[] InvFreq { get; }
    /// <summary>Multiplies cos and sin (YaRN's "concentration"; 1 otherwise).</summary>
    public double AttentionScaling { get; }

    public Rope(double[] invFreq, double attentionScaling = 1)
    {
        InvFreq = invFreq;
        AttentionScaling = attentionScaling;
    }

    public static Rope Create(double theta, int headDim, RopeScaling? scaling) => scaling?.RopeType switch
    {
        null or "default" => new Rope(DefaultInvFreq(theta, headDim)),
        "linear" => new Rope(DefaultInvFreq(theta, headDim).Select(f => f / scaling.Factor).ToArray()),
        "yarn" => Yarn(theta, headDim, scaling),
        var t => throw new ConfigException($"rope_scaling.rope_type '{t}' is not supported"),
    };

    /// <summary><c>θ^(−2i/d)</c>.</summary>
    public static double[] DefaultInvFreq(double theta, int headDim) =>
        Enumerable.Range(0, headDim / 2).Select(i => 1.0 / Math.Pow(theta, 2.0 * i / headDim)).ToArray();

    /// <summary>YaRN (Peng et al. 2023): interpolate low frequencies by 1/factor, keep high ones, blend linearly
    /// between the correction dims derived from beta_fast/beta_slow; scale cos/sin by 0.1·ln(factor)+1.</summary>
    public static Rope Yarn(double theta, int headDim, RopeScaling s)
    {
        double originalMax = s.OriginalMaxPositionEmbeddings!.Value;
        double CorrectionDim(double rotations) =>
            headDim * Math.Log(originalMax / (rotations * 2 * Math.PI)) / (2 * Math.Log(theta));
        double low = CorrectionDim(s.BetaFast), high = CorrectionDim(s.BetaSlow);
        if (s.Truncate ?? true) { low = Math.Floor(low); high = Math.Ceiling(high); }
        low = Math.Max(low, 0);
        high = Math.Min(high, headDim - 1);
        if (low == high) high += 0.001; // avoids a division by zero, as the reference does
        var extrapolation = DefaultInvFreq(theta, headDim);
        var invFreq = extrapolation.Select((extrap, i) =>
        {
            var ramp = Math.Clamp((i - low) / (high - low), 0, 1);
            return extrap / s.Factor * ramp + extrap * (1 - ramp);
        }).ToArray();
        return new Rope(invFreq, s.AttentionFactor ?? 0.1 * Math.Log(s.Factor) + 1);
    }

    /// <summary>cos and sin tables for positions (B, T) → each (B, 1, T, d), in <paramref name="dtype"/>.
    /// Angles are computed in fp32 from absolute positions; negative (padding) positions are clamped to 0.</summary>
    public (Tensor Cos, Tensor Sin) Tables(Tensor positions, ScalarType dtype)
    {
        using var scope = NewDisposeScope();
        var inv = tensor(InvFreq.Select(f => (float)f).ToArray(), device: positions.device);
        var angles = positions.ClampMin(0).to(ScalarType.Float32).unsqueeze(-1) * inv; // (B, T, d/2)
        var full = cat([angles, angles], -1).unsqueeze(1);                             // (B, 1, T, d)
        var cos = full.cos().Mul(AttentionScaling).to(dtype);
        var sin = full.sin().Mul(AttentionScaling).to(dtype);
        return (cos.MoveToOuterDisposeScope(), sin.MoveToOuterDisposeScope());
    }

    /// <summary>Rotates x (B, H, T, d) by the tables from <see cref="Tables"/>.</summary>
    public static Tensor Apply(Tensor x, Tensor cos, Tensor sin)
    {
        using var scope = NewDisposeScope();
        var half = x.shape[^1] / 2;
        var rotated = cat([-x.narrow(-1, half, half), x.narrow(-1, 0, half)], -1);
        return (x * cos).Add(rotated * sin).MoveToOuterDisposeScope();
    }
}
