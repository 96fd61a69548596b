using TorchSharp;
using static TorchSharp.torch;

namespace Avocado.Models.Layers;

/// <summary><c>y = x·Wᵀ + b</c> with W stored [out, in] as in PyTorch checkpoints. Unlike nn.Linear it does not
/// spend time on a random init that loading would overwrite.</summary>
public sealed class Linear : nn.Module<Tensor, Tensor>
{
    public readonly Parameter weight;
    public readonly Parameter? bias;

    public Linear(long inFeatures, long outFeatures, bool hasBias, TensorFactory f) : base(nameof(Linear))
    {
        weight = f.Parameter(outFeatures, inFeatures);
        bias = hasBias ? f.Parameter(outFeatures) : null;
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) =>
        MatVec.Applies(x, weight) ? MatVec.Linear(x, weight, bias) : nn.functional.linear(x, weight, bias);
}

/// <summary>Token embedding table [vocab, hidden].</summary>
public sealed class Embedding : nn.Module<Tensor, Tensor>
{
    public readonly Parameter weight;

    public Embedding(long vocab, long hidden, TensorFactory f) : base(nameof(Embedding))
    {
        weight = f.Parameter(vocab, hidden);
        RegisterComponents();
    }

    public override Tensor forward(Tensor ids) => weight.index_select(0, ids.flatten()).view([.. ids.shape, weight.shape[1]]);
}
