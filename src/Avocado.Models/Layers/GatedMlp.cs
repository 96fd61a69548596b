using TorchSharp;
using static TorchSharp.torch;

namespace Avocado.Models.Layers;

/// <summary><c>down(act(gate(x)) ⊙ up(x))</c>: the gated MLP Qwen3 (SiLU) and Gemma 3 (tanh GELU) share; only the
/// activation differs. Field names are the checkpoint keys (<c>mlp.gate_proj</c>, …).</summary>
public sealed class GatedMlp : nn.Module<Tensor, Tensor>
{
    public readonly Linear gate_proj, up_proj, down_proj;
    readonly Func<Tensor, Tensor> activation;

    public GatedMlp(int hidden, int intermediate, Func<Tensor, Tensor> activation, TensorFactory f) : base("mlp")
    {
        gate_proj = new Linear(hidden, intermediate, false, f);
        up_proj = new Linear(hidden, intermediate, false, f);
        down_proj = new Linear(intermediate, hidden, false, f);
        this.activation = activation;
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        return down_proj.forward(activation(gate_proj.forward(x)) * up_proj.forward(x)).MoveToOuterDisposeScope();
    }
}
