using Avocado.Models.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace Avocado.Models.Layers;

/// <summary>The three RMSNorm variants differ only in where the weight applies and where the cast back happens.</summary>
public enum NormStyle
{
    /// <summary>Qwen3 / Llama: <c>w ⊙ cast(RMS(x_fp32))</c> — cast before the weight.</summary>
    Llama,
    /// <summary>Gemma: <c>cast(RMS(x_fp32) ⊙ (1 + w))</c> — the stored weight is zero-centred.</summary>
    GemmaOnePlus,
    /// <summary>gpt-oss: <c>cast(w ⊙ RMS(x_fp32))</c> — weight applied in fp32.</summary>
    WeightInFp32,
}

public sealed class RmsNorm : nn.Module<Tensor, Tensor>
{
    public readonly Parameter weight;
    readonly double eps;
    readonly NormStyle style;

    public RmsNorm(long dim, double eps, NormStyle style, TensorFactory f) : base(nameof(RmsNorm))
    {
        weight = f.Parameter(dim);
        this.eps = eps;
        this.style = style;
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var inputType = x.dtype;
        var x32 = x.to(ScalarType.Float32);
        var normed = x32 * rsqrt(x32.Pow(2).mean([-1], keepdim: true).Add(eps));
        var result = style switch
        {
            NormStyle.Llama => weight * normed.to(inputType),
            NormStyle.GemmaOnePlus => (normed * weight.to(ScalarType.Float32).Add(1)).to(inputType),
            _ => (weight.to(ScalarType.Float32) * normed).to(inputType),
        };
        return result.MoveToOuterDisposeScope();
    }
}
