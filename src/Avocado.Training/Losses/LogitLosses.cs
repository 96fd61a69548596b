using Avocado.Models.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace Avocado.Training.Losses;

/// <summary>Logit distillation when student and teacher share one vocabulary: forward KL, reverse KL (MiniLLM) and the
/// generalized Jensen–Shannon divergence of TRL GKD. Both inputs are logits (N, V) with the same V.
/// Conventions (mean over rows, temperature without T², nats): see <see cref="LossConventions"/>.</summary>
public static class LogitLosses
{
    /// <summary>KL(p_teacher ‖ q_student) with p = softmax(teacher/T), q = softmax(student/T): mass-covering.</summary>
    public static Tensor ForwardKl(Tensor student, Tensor teacher, double temperature = 1.0)
    {
        using var scope = NewDisposeScope();
        var (logQ, logP) = LogProbs(student, teacher, temperature);
        return LossConventions.KlRows(logP.exp(), logP, logQ).mean().MoveToOuterDisposeScope();
    }

    /// <summary>KL(q_student ‖ p_teacher): mode-seeking.</summary>
    public static Tensor ReverseKl(Tensor student, Tensor teacher, double temperature = 1.0)
    {
        using var scope = NewDisposeScope();
        var (logQ, logP) = LogProbs(student, teacher, temperature);
        return LossConventions.KlRows(logQ.exp(), logQ, logP).mean().MoveToOuterDisposeScope();
    }

    /// <summary>Generalized JSD as in TRL GKD: m = β·p_teacher + (1−β)·q_student;
    /// loss = β·KL(p_teacher ‖ m) + (1−β)·KL(q_student ‖ m). β = 0 is exactly <see cref="ForwardKl"/> and β = 1 exactly
    /// <see cref="ReverseKl"/> (special-cased as TRL does; the formula itself tends to 0 at both ends, so the loss is
    /// discontinuous there by design). Bounded by the binary entropy of β, e.g. log 2 at β = 0.5.</summary>
    public static Tensor GeneralizedJsd(Tensor student, Tensor teacher, double beta, double temperature = 1.0)
    {
        if (!(beta >= 0 && beta <= 1)) // also rejects NaN
            throw new ArgumentOutOfRangeException(nameof(beta), beta, "beta must lie in [0, 1] (0 = forward KL, 1 = reverse KL, 0.5 = symmetric JSD).");
        if (beta == 0) return ForwardKl(student, teacher, temperature);
        if (beta == 1) return ReverseKl(student, teacher, temperature);

        using var scope = NewDisposeScope();
        var (logQ, logP) = LogProbs(student, teacher, temperature);
        // log m = logsumexp(log p + log β, log q + log(1−β)). The floor keeps a token that both give probability 0
        // (−∞ logits) finite, because logsumexp over only −∞ has a NaN gradient; such tokens are masked in KlRows anyway.
        var logM = stack(new[]
        {
            logP.ClampMin(LossConventions.LogFloor).Add(Math.Log(beta)),
            logQ.ClampMin(LossConventions.LogFloor).Add(Math.Log(1 - beta)),
        }, 0).logsumexp(0);                                                    // (N, V)
        var loss = LossConventions.KlRows(logP.exp(), logP, logM).Mul(beta)
            .Add(LossConventions.KlRows(logQ.exp(), logQ, logM).Mul(1 - beta)); // (N)
        return loss.mean().MoveToOuterDisposeScope();
    }

    /// <summary>(log q_student, log p_teacher), each (N, V), at temperature T in the shared compute dtype.</summary>
    private static (Tensor LogQ, Tensor LogP) LogProbs(Tensor student, Tensor teacher, double temperature)
    {
        LossConventions.CheckTemperature(temperature);
        LossConventions.CheckSameVocab(student, teacher);
        var type = LossConventions.ComputeType((student, nameof(student)), (teacher, nameof(teacher)));
        return (LossConventions.LogSoftmax(student, type, temperature), LossConventions.LogSoftmax(teacher, type, temperature));
    }
}
