using TorchSharp;
using static TorchSharp.torch;

namespace Avocado.Models.Layers;

/// <summary>LayerNorm with weight and bias (the vision towers: SigLIP, Qwen3-VL; the decoders use <see cref="RmsNorm"/>). Computed in
/// float32 and cast back, as the towers run in bf16 when published weights are.</summary>
public sealed class LayerNorm : nn.Module<Tensor, Tensor>
{
    public readonly Parameter weight, bias;
    readonly double eps;

    public LayerNorm(long dim, double eps, TensorFactory f) : base(nameof(LayerNorm))
    {
        weight = f.Parameter(dim);
        bias = f.Parameter(dim);
        this.eps = eps;
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var y = nn.functional.layer_norm(x.to(ScalarType.Float32), [weight.shape[0]], weight.to(ScalarType.Float32), bias.to(ScalarType.Float32), eps);
        return y.to(x.dtype).MoveToOuterDisposeScope();
    }
}
