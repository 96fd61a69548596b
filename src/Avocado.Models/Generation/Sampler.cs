using Avocado.Models.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace Avocado.Models.Generation;

/// <summary>Turns one sequence's next-token logits into a token. Pure functions over a (V) float32 tensor.</summary>
public static class Sampler
{
    public static Tensor ApplyRepetitionPenalty(Tensor logits, IEnumerable<long> seen, double penalty)
    {
        if (penalty == 1) return logits;
        var ids = seen.Distinct().ToArray();
        if (ids.Length == 0) return logits;
        using var scope = NewDisposeScope();
        var index = tensor(ids, device: logits.device);
        var current = logits.index_select(0, index);
        var penalised = where(current.Gt(0), current.Div(penalty), current.Mul(penalty));
        return logits.index_copy(0, index, penalised).MoveToOuterDisposeScope();
    }

    /// <summary>Keeps the k largest logits (ties at the k-th value are kept too, as in transformers).</summary>
    public static Tensor TopK(Tensor logits, int k)
    {
        if (k <= 0 || k >= logits.shape[0]) return logits;
        using var scope = NewDisposeScope();
        var kth = logits.topk(k).values[k - 1];
        return logits.MaskedFill(logits.lt(kth), double.NegativeInfinity).MoveToOuterDisposeScope();
    }

    /// <summary>Nucleus: keeps the smallest set of most likely tokens whose probability reaches p (always ≥ 1 token).</summary>
    public static Tensor TopP(Tensor logits, double p)
    {
        if (p >= 1) return logits;
        using var scope = NewDisposeScope();
        var (sorted, order) = logits.sort(descending: true);
        var cumulative = sorted.softmax(0).cumsum(0);
        // Drop a token when the mass before it already reaches p.
        var drop = (cumulative - sorted.softmax(0)).Ge(p);
        drop[0] = tensor(false);
        var dropInOriginalOrder = zeros_like(drop).scatter(0, order, drop);
        return logits.MaskedFill(dropInOriginalOrder, double.NegativeInfinity).MoveToOuterDisposeScope();
    }

    /// <summary>Chooses the next token from raw logits (V).</summary>
    public static long Choose(Tensor logits, IEnumerable<long> seen, SamplingOptions o, Generator? generator)
    {
        using var scope = NewDisposeScope();
        var l = ApplyRepetitionPenalty(logits, seen, o.RepetitionPenalty);
        if (o.Greedy) return l.argmax().item<long>();
        l = TopP(TopK(l.Div(o.Temperature), o.TopK), o.TopP);
        return multinomial(l.softmax(0), 1, generator: generator).item<long>();
    }
}
