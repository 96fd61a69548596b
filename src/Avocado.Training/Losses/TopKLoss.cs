using Avocado.Models.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace Avocado.Training.Losses;

/// <summary>Distillation from stored top-k teacher log-probabilities (offline teachers, endpoints), keeping the
/// teacher's remaining mass as one "tail" bucket instead of dropping it (X-Token found that dropping uncommon tokens
/// from the loss collapsed GSM8K). Conventions (mean over rows, nats): see <see cref="LossConventions"/>.</summary>
public static class TopKLoss
{
    /// <summary>KL between the coarse-grained teacher and student distributions over the buckets
    /// {each mapped id of the row} ∪ {tail = every other student id}.
    /// <para>student (N, V) logits; teacherIds (N, K) student-vocabulary ids of the teacher's top-k tokens, −1 where the
    /// teacher token has no student id or as padding; teacherLogprobs (N, K) natural-log teacher probabilities (the
    /// values at −1 slots are ignored). Teacher tail = 1 − Σ p(mapped), clamped ≥ 0, so unmapped teacher tokens' mass
    /// lands in the tail. Student tail = logsumexp over the unmapped ids − logsumexp over all (exact, never log(1 − Σq)).</para>
    /// <para>loss = Σ_buckets p·(log p − log q) ≤ full KL (data-processing inequality). With K = V and every id mapped
    /// it equals <see cref="LogitLosses.ForwardKl"/>. When a row maps every student id the tail bucket is empty and its
    /// term is dropped (any teacher mass left there is rounding, or tokens the student cannot represent).
    /// Rows whose ids are all −1 contribute 0. Duplicate ids within a row are a caller error.</para></summary>
    public static Tensor Kl(Tensor student, Tensor teacherIds, Tensor teacherLogprobs)
    {
        using var scope = NewDisposeScope();
        LossConventions.CheckRows(student, nameof(student));
        var type = LossConventions.ComputeType((student, nameof(student)), (teacherLogprobs, nameof(teacherLogprobs)));
        var ids = LossConventions.Int64Ids(teacherIds, nameof(teacherIds));
        long n = student.shape[0], v = student.shape[1];
        if (ids.dim() != 2 || ids.shape[0] != n)
            throw new ArgumentException($"teacherIds must have shape [{n}, K] (one row per student row), got [{string.Join(", ", ids.shape)}].", nameof(teacherIds));
        if (!teacherLogprobs.shape.SequenceEqual(ids.shape))
            throw new ArgumentException($"teacherLogprobs shape [{string.Join(", ", teacherLogprobs.shape)}] must equal teacherIds shape [{string.Join(", ", ids.shape)}].",
                nameof(teacherLogprobs));
        long lo = ids.min().item<long>(), hi = ids.max().item<long>();
        if (lo < -1 || hi >= v)
            throw new ArgumentException($"teacherIds span [{lo}, {hi}] but must be −1 (unmapped/padding) or a student id in [0, {v}).", nameof(teacherIds));

        var mapped = ids.Ge(0);                                              // (N, K)
        // Unmapped slots point at a spare column V so scatter never collides with a real id.
        var slot = where(mapped, ids, ScalarOps.FullLike(ids, v));                    // (N, K)
        var counts = zeros(n, v + 1, dtype: ScalarType.Int64).scatter_add(1, slot, ones_like(slot)).narrow(1, 0, v); // (N, V)
        var duplicated = counts.Gt(1).any(1);                                // (N)
        if (duplicated.any().item<bool>())
        {
            long row = duplicated.nonzero()[0, 0].item<long>();
            throw new ArgumentException($"teacherIds row {row} maps the same student id twice; merge duplicate teacher tokens " +
                                        "(several teacher tokens mapping to one student token) by summing their probabilities first.", nameof(teacherIds));
        }
        var inBucket = counts.Gt(0);                                         // (N, V) student ids with their own bucket

        var s = student.to(type);
        var lp = teacherLogprobs.to(type);
        var logQ = s.log_softmax(1);                                         // (N, V)
        var logQk = logQ.gather(1, ids.ClampMin(0));                        // (N, K); −1 slots read id 0, masked below
        var safeLp = lp.MaskedFill(mapped.logical_not(), 0);                // padding values may be −∞ or garbage
        var p = safeLp.exp().MaskedFill(mapped.logical_not(), 0);           // (N, K) teacher mass of mapped tokens
        var head = LossConventions.KlRows(p, safeLp, logQk);                 // (N)

        var pTail = p.sum(1).RSub(1).ClampMin(0);                             // (N)
        var logAll = s.logsumexp(1);                                         // (N)
        // −∞ on the bucketed ids leaves exactly the tail's mass; a row with no tail gives −∞, masked below
        // (its logsumexp NaN gradient lands only on masked entries, which masked_fill's backward zeroes).
        var logQTail = s.MaskedFill(inBucket, double.NegativeInfinity).logsumexp(1) - logAll; // (N)
        var hasTail = inBucket.logical_not().any(1);                         // (N)
        var pTailKept = pTail.MaskedFill(hasTail.logical_not(), 0);
        var tail = pTailKept * (pTailKept.log() - logQTail).MaskedFill(pTailKept.Le(0), 0); // (N), 0·log 0 = 0

        return head.Add(tail).mean().MoveToOuterDisposeScope();
    }
}
