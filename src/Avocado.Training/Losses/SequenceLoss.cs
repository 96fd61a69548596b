using TorchSharp;
using static TorchSharp.torch;

namespace Avocado.Training.Losses;

/// <summary>Next-token cross-entropy against the reference tokens (SFT / sequence-level distillation).
/// Conventions (mean over rows, dtypes, nats): see <see cref="LossConventions"/>.</summary>
public static class SequenceLoss
{
    /// <summary>logits (N, V), targets (N) integer ids in [0, V) → mean over rows of −log softmax(logits)[target].
    /// Label shifting and masking happen before the call: every row passed here counts.</summary>
    public static Tensor CrossEntropy(Tensor logits, Tensor targets)
    {
        using var scope = NewDisposeScope();
        LossConventions.CheckRows(logits, nameof(logits));
        var type = LossConventions.ComputeType((logits, nameof(logits)));
        var ids = LossConventions.Int64Ids(targets, nameof(targets));
        long n = logits.shape[0], v = logits.shape[1];
        if (ids.dim() != 1 || ids.shape[0] != n)
            throw new ArgumentException($"targets must have shape [{n}] (one id per logits row), got [{string.Join(", ", ids.shape)}].", nameof(targets));
        // gather would fail with an opaque native error; say which range is wrong instead (e.g. an ignore index of −100).
        long lo = ids.min().item<long>(), hi = ids.max().item<long>();
        if (lo < 0 || hi >= v)
            throw new ArgumentOutOfRangeException(nameof(targets), $"target ids span [{lo}, {hi}] but must lie in [0, {v}); " +
                                                  "drop ignored positions (e.g. −100) before calling.");

        var logP = LossConventions.LogSoftmax(logits, type, 1.0);          // (N, V)
        var nll = -logP.gather(1, ids.unsqueeze(1)).squeeze(1);             // (N)
        return nll.mean().MoveToOuterDisposeScope();
    }
}
