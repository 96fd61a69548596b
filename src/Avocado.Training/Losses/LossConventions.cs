using Avocado.Models.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace Avocado.Training.Losses;

/// <summary>
/// The conventions every loss in this folder follows, kept in one place (house style 8):
/// <list type="bullet">
/// <item>Inputs are (N, V) rows; one row is one token position. Every loss returns a scalar that is the
/// <b>mean over rows</b>, so each term is per-token normalised and KD terms stay comparable with cross-entropy
/// (spec pitfall 3). Callers select the rows that count (loss masking) before calling.</item>
/// <item>Logits of any float dtype are accepted: float16/bfloat16 are upcast to float32, float32 and float64 are
/// kept (float64 lets the gradient tests run in double). The result has that compute dtype.</item>
/// <item>Temperature T divides both the student's and the teacher's logits before the softmax. There is
/// <b>no T² factor</b>: a caller that wants Hinton's gradient scaling multiplies the loss itself.</item>
/// <item>Natural logarithms throughout: KL and entropy are in nats. 0·log 0 = 0.</item>
/// <item>Log-probabilities come from log_softmax / logsumexp, never log(softmax); masked terms are zeroed
/// before they are multiplied, so no NaN or infinity reaches the backward pass.</item>
/// <item>Vocabulary sizes that differ are an error naming both sizes; nothing is ever truncated (spec pitfall 1).</item>
/// </list>
/// </summary>
internal static class LossConventions
{
    /// <summary>Stands in for log 0 inside a logsumexp: finite even in float32, so its backward has no NaN,
    /// yet far below any log-probability a real model produces.</summary>
    internal const double LogFloor = -1e30;

    /// <summary>float64 if any input is float64, else float32 (half and bfloat16 are upcast).</summary>
    internal static ScalarType ComputeType(params (Tensor Tensor, string Name)[] inputs)
    {
        var type = ScalarType.Float32;
        foreach (var (t, name) in inputs)
        {
            if (!t.is_floating_point())
                throw new ArgumentException($"{name} must be a floating-point tensor, got {t.dtype}.", name);
            if (t.dtype == ScalarType.Float64) type = ScalarType.Float64;
        }
        return type;
    }

    /// <summary>Checks a (N, C) input with at least one row and one column.</summary>
    internal static void CheckRows(Tensor t, string name)
    {
        if (t.dim() != 2)
            throw new ArgumentException($"{name} must be 2-D (rows, columns), got shape [{string.Join(", ", t.shape)}]; " +
                                        "flatten (B, T, V) to (B·T, V) and keep only the rows that count.", name);
        if (t.shape[0] == 0 || t.shape[1] == 0)
            throw new ArgumentException($"{name} has no rows or no columns (shape [{string.Join(", ", t.shape)}]); " +
                                        "a mean over zero rows is undefined — skip the term instead.", name);
    }

    /// <summary>Student and teacher logits over the same vocabulary: (N, V) each.</summary>
    internal static void CheckSameVocab(Tensor student, Tensor teacher)
    {
        CheckRows(student, nameof(student));
        CheckRows(teacher, nameof(teacher));
        if (student.shape[1] != teacher.shape[1])
            throw new ArgumentException(
                $"student vocabulary size {student.shape[1]} differs from teacher vocabulary size {teacher.shape[1]}; " +
                "logits are never truncated — map tokens between the vocabularies (TopKLoss) or use a cross-tokenizer loss (UldLoss).",
                nameof(teacher));
        if (student.shape[0] != teacher.shape[0])
            throw new ArgumentException($"student has {student.shape[0]} rows but teacher has {teacher.shape[0]}; rows must be the same token positions.",
                nameof(teacher));
    }

    internal static void CheckTemperature(double temperature)
    {
        if (!(double.IsFinite(temperature) && temperature > 0))
            throw new ArgumentOutOfRangeException(nameof(temperature), temperature, "temperature must be a finite number > 0 (1 = the model's own distribution).");
    }

    /// <summary>Integer ids as int64 (what gather and scatter need).</summary>
    internal static Tensor Int64Ids(Tensor ids, string name)
    {
        if (ids.is_floating_point() || ids.dtype == ScalarType.Bool || ids.is_complex())
            throw new ArgumentException($"{name} must hold integer token ids, got {ids.dtype}.", name);
        return ids.to(ScalarType.Int64);
    }

    /// <summary>log_softmax(x / T) in the compute dtype, along the last dimension.</summary>
    internal static Tensor LogSoftmax(Tensor logits, ScalarType type, double temperature)
    {
        var x = logits.to(type);
        if (temperature != 1.0) x = x.Div(temperature);
        return x.log_softmax(1);
    }

    /// <summary>Per-row Σ p·(log p − log q) (N), with p = exp(log p). Where p = 0 the log ratio is zeroed before the
    /// product, so 0·log 0 = 0 and −∞ − (−∞) never becomes a NaN in the forward or the backward pass.</summary>
    internal static Tensor KlRows(Tensor p, Tensor logP, Tensor logQ) =>
        (p * (logP - logQ).MaskedFill(p.Le(0), 0)).sum(1);
}
