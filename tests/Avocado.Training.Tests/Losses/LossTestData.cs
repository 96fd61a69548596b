using TorchSharp;
using static TorchSharp.torch;

namespace Avocado.Training.Tests.Losses;

/// <summary>Inputs for the loss tests and the closed-form references they are checked against. The references use
/// plain doubles only, so a bug shared with torch cannot hide.</summary>
internal static class LossTestData
{
    /// <summary>Logits whose softmax is exactly <paramref name="probs"/> (row by row), shifted by a per-row constant
    /// to show the losses are shift-invariant.</summary>
    internal static Tensor LogitsOf(double[,] probs)
    {
        var logits = new double[probs.GetLength(0), probs.GetLength(1)];
        for (int i = 0; i < logits.GetLength(0); i++)
            for (int j = 0; j < logits.GetLength(1); j++)
                logits[i, j] = Math.Log(probs[i, j]) + 3.0 * i - 1.0;
        return tensor(logits);
    }

    /// <summary>Seeded normal-ish float64 logits (rows, cols): deterministic without touching torch's global RNG.</summary>
    internal static Tensor Random(int seed, long rows, long cols, double scale = 2.0)
    {
        var rng = new Random(seed);
        var data = new double[rows * cols];
        for (int i = 0; i < data.Length; i++) data[i] = scale * (rng.NextDouble() * 2 - 1);
        return tensor(data, new long[] { rows, cols });
    }

    internal static double Value(Tensor scalar) => scalar.to(ScalarType.Float64).item<double>();

    internal static double[] Row(double[,] m, int i) => Enumerable.Range(0, m.GetLength(1)).Select(j => m[i, j]).ToArray();

    /// <summary>KL(p ‖ q) = Σ p ln(p/q), with 0·ln 0 = 0.</summary>
    internal static double Kl(double[] p, double[] q) => p.Zip(q).Where(t => t.First > 0).Sum(t => t.First * Math.Log(t.First / t.Second));

    /// <summary>β·KL(p ‖ m) + (1−β)·KL(q ‖ m), m = β·p + (1−β)·q (TRL GKD's generalized JSD).</summary>
    internal static double Jsd(double[] p, double[] q, double beta)
    {
        var m = p.Zip(q, (a, b) => beta * a + (1 - beta) * b).ToArray();
        return beta * Kl(p, m) + (1 - beta) * Kl(q, m);
    }

    internal static double Entropy(params double[] p) => -p.Where(x => x > 0).Sum(x => x * Math.Log(x));

    /// <summary>Mean over rows of f(row i of a, row i of b).</summary>
    internal static double MeanRows(double[,] a, double[,] b, Func<double[], double[], double> f) =>
        Enumerable.Range(0, a.GetLength(0)).Average(i => f(Row(a, i), Row(b, i)));
}
