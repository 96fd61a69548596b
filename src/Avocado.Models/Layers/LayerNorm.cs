using TorchSharp;
using static TorchSharp.torch;

namespace Avocado.Models.Layers;

/// <summary>LayerNorm over the last dimension with a learned scale and bias (the vision towers: SigLIP, Qwen3-VL).
/// Unlike nn.LayerNorm it does not spend time on an init that loading overwrites.</summary>
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

    public override Tensor forward(Tensor x) => nn.functional.layer_norm(x, [weight.shape[0]], weight, bias, eps);
}
