using Avocado.Models.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace Avocado.Training.Losses;

/// <summary>Universal Logit Distillation (Boizard et al. 2024, "Towards Cross-Tokenizer Distillation: the Universal
/// Logit Distillation Loss for LLMs"), generalised to top-k teachers. It compares sorted probability vectors, so it
/// needs no shared vocabulary: the cross-tokenizer fallback when no token mapping exists.
/// Conventions (mean over rows, dtypes): see <see cref="LossConventions"/>.</summary>
public static class UldLoss
{
    /// <summary>student (N, Vs) logits; teacherProbs (N, K) probabilities of the teacher's top-k tokens (any order, ≥ 0,
    /// Σ ≤ 1, rows may be zero-padded). Both sides are sorted descending: the student's top-min(K, Vs) probabilities
    /// (topk, so gradients flow), zero-padded to K when Vs &lt; K. Tails r_t = 1 − Σ teacher, r_s = 1 − Σ student top-k
    /// (clamped ≥ 0). loss = Σ_i |p_(i) − q_(i)| + |r_t − r_s|, the L1 (= 2 × total variation) between the sorted,
    /// tail-bucketed distributions. With K ≥ both vocabularies this is exactly ULD's sorted L1 with zero padding.</summary>
    public static Tensor Loss(Tensor student, Tensor teacherProbs)
    {
        using var scope = NewDisposeScope();
        LossConventions.CheckRows(student, nameof(student));
        LossConventions.CheckRows(teacherProbs, nameof(teacherProbs));
        if (teacherProbs.shape[0] != student.shape[0])
            throw new ArgumentException($"student has {student.shape[0]} rows but teacherProbs has {teacherProbs.shape[0]}; rows must be aligned positions.",
                nameof(teacherProbs));
        var type = LossConventions.ComputeType((student, nameof(student)), (teacherProbs, nameof(teacherProbs)));
        var p = teacherProbs.to(type);
        // Log-probabilities passed by mistake are negative; unnormalised scores sum above 1. Both would train silently wrong.
        if (p.Lt(0).any().item<bool>() || p.sum(1).Gt(1 + 1e-3).any().item<bool>())
            throw new ArgumentException("teacherProbs must be probabilities (≥ 0, each row summing to ≤ 1); " +
                                        "exponentiate stored log-probabilities first.", nameof(teacherProbs));
        long k = p.shape[1], vs = student.shape[1];

        var (pSorted, _) = p.sort(1, descending: true);                      // (N, K)
        var q = student.to(type).softmax(1);                                 // (N, Vs)
        var (qTop, _) = q.topk((int)Math.Min(k, vs), 1);                     // (N, min(K, Vs)), descending
        if (vs < k) qTop = nn.functional.pad(qTop, new long[] { 0, k - vs });   // (N, K): the student has no more tokens

        var rT = p.sum(1).RSub(1).ClampMin(0);                                // (N) teacher mass outside its top-k
        var rS = qTop.sum(1).RSub(1).ClampMin(0);                             // (N) student mass outside its top-k
        var loss = (pSorted - qTop).abs().sum(1).Add((rT - rS).abs());          // (N)
        return loss.mean().MoveToOuterDisposeScope();
    }
}
