using Avocado.Models.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace Avocado.Training.Losses;

/// <summary>Per-row statistics of distributions, used to weight teachers by confidence (low entropy = confident,
/// as in InfiFusion's uncertainty weighting). Conventions (mean over rows, nats): see <see cref="LossConventions"/>.</summary>
public static class DistributionStats
{
    /// <summary>Mean per-row entropy (nats) of softmax(logits): (N, V) → scalar; log V for a uniform row.</summary>
    public static Tensor MeanEntropy(Tensor logits)
    {
        using var scope = NewDisposeScope();
        LossConventions.CheckRows(logits, nameof(logits));
        var type = LossConventions.ComputeType((logits, nameof(logits)));
        var logP = LossConventions.LogSoftmax(logits, type, 1.0);            // (N, V)
        var p = logP.exp();
        var h = -(p * logP.MaskedFill(p.Le(0), 0)).sum(1);                  // (N), 0·log 0 = 0 for −∞ logits
        return h.mean().MoveToOuterDisposeScope();
    }

    /// <summary>Mean per-row entropy of a top-k distribution given log-probabilities (N, K), with −∞ (or very negative)
    /// entries as padding and the remaining mass 1 − Σp (clamped ≥ 0) treated as a single tail bucket. This is the
    /// entropy of the coarse-grained distribution, so it is ≤ the full distribution's entropy.</summary>
    public static Tensor MeanEntropyTopK(Tensor logprobs)
    {
        using var scope = NewDisposeScope();
        LossConventions.CheckRows(logprobs, nameof(logprobs));
        var type = LossConventions.ComputeType((logprobs, nameof(logprobs)));
        var lp = logprobs.to(type);
        var p = lp.exp();                                                    // (N, K); padding → 0
        var tail = p.sum(1).RSub(1).ClampMin(0);                              // (N)
        var head = -(p * lp.MaskedFill(p.Le(0), 0)).sum(1);                 // (N)
        var tailH = -(tail * tail.log().MaskedFill(tail.Le(0), 0));         // (N)
        return head.Add(tailH).mean().MoveToOuterDisposeScope();
    }
}
