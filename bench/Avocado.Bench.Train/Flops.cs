using System.Diagnostics;
using Avocado.Models;
using static TorchSharp.torch;

namespace Avocado.Bench.Train;

/// <summary>
/// Model FLOPs of a training step, the estimate of PaLM (Chowdhery et al. 2022, "PaLM: Scaling Language Modeling with
/// Pathways", appendix B), also used by nanoGPT's <c>estimate_mfu</c> and llm.c:
/// <code>
/// FLOPs per token = 6·N + 12·L·H·Q·T
/// </code>
/// N the non-embedding parameters (every weight a token is multiplied by: the forward pass costs 2 FLOPs per
/// parameter per token, the backward pass 4), L layers, H·Q the attention width (heads × head_dim), T the training
/// sequence length (q·kᵀ and p·v, forward and backward, over the full T×T square, causal mask not subtracted, as PaLM
/// counts). The LM head (vocab × hidden, tied to the embedding here) is a matmul and is counted, but only for target
/// tokens, because the Trainer computes logits at assistant positions only. Rematerialisation is not counted (MFU,
/// not HFU) and padding counts as no work.
/// </summary>
public sealed record FlopModel(long BodyParams, long HeadParams, int Layers, int AttentionWidth, int SeqLen)
{
    public static FlopModel For(CausalLM model, int seqLen)
    {
        var c = model.Config;
        long total = model.parameters().Sum(p => p.numel());
        long embedding = model.model.embed_tokens.weight.numel();
        long untiedHead = model.lm_head?.weight.numel() ?? 0;
        return new FlopModel(total - embedding - untiedHead, (long)c.VocabSize * c.HiddenSize, c.NumHiddenLayers,
            c.NumAttentionHeads * c.HeadDim, seqLen);
    }

    public double PerToken => 6.0 * BodyParams + 12.0 * Layers * AttentionWidth * SeqLen;

    public double Step(long tokens, long targets) => PerToken * tokens + 6.0 * HeadParams * targets;

    /// <summary>The 6·N part alone (no attention term), for comparison with reports that omit it.</summary>
    public double ParamsOnly(long tokens, long targets) => 6.0 * BodyParams * tokens + 6.0 * HeadParams * targets;
}

/// <summary>The fp32 matmul peak of this machine as LibTorch reaches it with the current thread count: square
/// matmuls, FLOPs = 2·n³, warm-up first, best of several timed runs.</summary>
public static class MatmulPeak
{
    public static double Measure(int n, int runs)
    {
        using var scope = NewDisposeScope();
        var a = randn(n, n);
        var b = randn(n, n);
        for (int i = 0; i < 2; i++) matmul(a, b).Dispose();
        double best = double.MaxValue;
        for (int i = 0; i < runs; i++)
        {
            var sw = Stopwatch.StartNew();
            var c = matmul(a, b);
            double s = sw.Elapsed.TotalSeconds;
            c.Dispose();
            best = Math.Min(best, s);
        }
        return 2.0 * n * n * n / best;
    }

    /// <summary>Best over 1024² and 2048² (GFLOP/s each returned as well).</summary>
    public static (double Peak, double At1024, double At2048) Measure()
    {
        double small = Measure(1024, 20), large = Measure(2048, 6);
        return (Math.Max(small, large), small, large);
    }
}

public static class LoadAverage
{
    public static string Now()
    {
        try { return string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3)); }
        catch (IOException) { return "n/a"; }
        catch (UnauthorizedAccessException) { return "n/a"; }
    }
}
