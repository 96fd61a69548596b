using Avocado.Models.Torch;
using Avocado.Training.Optim;
using TorchSharp;
using Parameter = TorchSharp.Modules.Parameter;
using AdamW = Avocado.Training.Optim.AdamW;
using static TorchSharp.torch;

namespace Avocado.Training.Tests.Optim;

/// <summary>Our AdamW (kept for fp32 master weights over bf16 parameters, and bit-exact save/restore) against
/// TorchSharp's own <c>torch.optim.AdamW</c>, the reference implementation of the same update.</summary>
public sealed class AdamWTests
{
    /// <summary>A loss with curvature and cross terms, so moments and decay all matter.</summary>
    static Tensor Loss(Parameter a, Parameter b, Tensor x)
    {
        using var scope = NewDisposeScope();
        var h = x.matmul(a).tanh().matmul(b);
        return h.Pow(2).mean().Add(h.sum().sin()).MoveToOuterDisposeScope();
    }

    [Fact]
    public void Follows_torch_AdamW_in_fp32_over_50_steps()
    {
        random.manual_seed(7);
        using var x = randn(16, 8);
        using var a0 = randn(8, 12);
        using var b0 = randn(12, 4);
        var ours = (A: new Parameter(a0.clone()), B: new Parameter(b0.clone()));
        var theirs = (A: new Parameter(a0.clone()), B: new Parameter(b0.clone()));
        const double lr = 0.01, beta1 = 0.9, beta2 = 0.95, eps = 1e-8, decay = 0.1;

        using var mine = new AdamW([("l0.weight", ours.A), ("l1.weight", ours.B)], beta1, beta2, eps, decay);
        var reference = torch.optim.AdamW([theirs.A, theirs.B], lr, beta1, beta2, eps, decay);

        for (int step = 0; step < 50; step++)
        {
            using (var loss = Loss(ours.A, ours.B, x)) loss.backward();
            mine.Update(lr);

            reference.zero_grad();
            using (var loss = Loss(theirs.A, theirs.B, x)) loss.backward();
            reference.step();
        }

        Assert.Equal(50, mine.Step);
        Assert.True(Tensors.MaxAbsDiff(ours.A, theirs.A) < 1e-6, $"A differs by {Tensors.MaxAbsDiff(ours.A, theirs.A)}");
        Assert.True(Tensors.MaxAbsDiff(ours.B, theirs.B) < 1e-6, $"B differs by {Tensors.MaxAbsDiff(ours.B, theirs.B)}");
        // The parameters moved far more than the tolerance: the comparison is not vacuous.
        Assert.True(Tensors.MaxAbsDiff(ours.A, a0) > 0.1);
    }

    [Fact]
    public void Norms_biases_and_embeddings_are_not_decayed()
    {
        using var w = new Parameter(ones(2, 2));
        using var e = new Parameter(ones(3, 2));
        using var n = new Parameter(ones(2));
        using var opt = new AdamW([("mlp.weight", w), ("embed_tokens.weight", e), ("input_layernorm.weight", n)], 0.9, 0.95, 1e-8, 0.5);
        Assert.Equal(["embed_tokens.weight", "input_layernorm.weight"], opt.NoDecayNames);

        // Zero gradients: only decay moves a parameter.
        foreach (var p in new[] { w, e, n }) p.grad = zeros_like(p);
        opt.Update(lr: 0.1);
        Assert.Equal(0.95f, w[0, 0].item<float>(), 6);   // 1 − lr × decay
        Assert.Equal(1f, e[0, 0].item<float>());
        Assert.Equal(1f, n[0].item<float>());
    }
}
