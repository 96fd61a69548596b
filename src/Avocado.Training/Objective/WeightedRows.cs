using Avocado.Models.Torch;
using static TorchSharp.torch;

namespace Avocado.Training.Objective;

/// <summary>
/// Applies per-example weights to a mean-over-rows loss: the rows of one example are contiguous, so the weighted loss
/// Σ_e w_e · Σ_{rows of e} ℓ / N is computed as Σ_e w_e · (n_e / N) · mean_e — one call per run of equally weighted
/// examples (with fixed weights, one call in all).
/// </summary>
public static class WeightedRows
{
    /// <param name="ranges">Per example: its [From, To) rows and weight, in row order, covering 0..N.</param>
    public static Tensor? Apply(IReadOnlyList<(int From, int To, double Weight)> ranges, int totalRows, Func<int, int, Tensor> meanOfRows)
    {
        if (totalRows == 0) return null;
        Tensor? sum = null;
        int i = 0;
        while (i < ranges.Count)
        {
            int j = i;
            while (j + 1 < ranges.Count && ranges[j + 1].Weight == ranges[i].Weight && ranges[j + 1].From == ranges[j].To) j++;
            int from = ranges[i].From, to = ranges[j].To;
            if (ranges[i].Weight != 0 && to > from)
            {
                var term = Scale(meanOfRows(from, to - from), ranges[i].Weight * (to - from) / totalRows);
                sum = sum is null ? term : sum.Add(term);
            }
            i = j + 1;
        }
        return sum;
    }

    /// <summary>t × factor through a Scalar that stays referenced until the native call has returned. The implicit
    /// double → Scalar temporary of <c>t * factor</c> can be finalized while libtorch still reads it (seen once as
    /// "Unknown scalar type" in <c>mul</c> after ~300 steps of a quickstart student).</summary>
    public static Tensor Scale(Tensor t, double factor)
    {
        using TorchSharp.Scalar s = factor;
        return t.mul(s);
    }
}
