using Avocado.Models.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace Avocado.Models.Layers;

/// <summary>What differs between the families' attention layers; everything else is shared.</summary>
public sealed record AttentionSpec(
    int Hidden, int Heads, int KvHeads, int HeadDim,
    bool Bias,             // gpt-oss: q/k/v/o biases
    NormStyle? QkNorm,     // Qwen3 (Llama style) and Gemma 3 (1+w): RMSNorm over head_dim before RoPE
    double Scale,          // 1/√d, or Gemma's query_pre_attn_scalar^(−1/2)
    bool Sinks,            // gpt-oss: one learned logit per head in the softmax denominator
    double? Softcap,       // Gemma 2 style tanh soft-capping of scores (null in Gemma 3)
    double NormEps);

/// <summary>Per-forward inputs shared by all layers: rotary tables for this layer's kind, and query positions.
/// Either one <see cref="Cache"/> for the whole batch (sequences advance in lockstep), or — for continuous
/// batching — <see cref="RowCaches"/>: one cache per batch row, each row a single new token.</summary>
/// <summary><see cref="Segments"/> (B, T): packed training rows — a query sees only keys of its own segment (no cache).
/// <see cref="Bidirectional"/>: position ranges [start, end) whose tokens see each other both ways (an image's tokens).</summary>
public sealed record AttentionInputs(Tensor Cos, Tensor Sin, Tensor Positions, int Window, LayerKvCache? Cache,
    IReadOnlyList<LayerKvCache>? RowCaches = null, Tensor? Segments = null, IReadOnlyList<(long Start, long End)>? Bidirectional = null);

/// <summary>Multi-head causal self-attention with grouped KV heads, optional sliding window, QK-norm and sinks.</summary>
/// <remarks>Field names equal the Hugging Face checkpoint keys (<c>self_attn.q_proj</c>, …).</remarks>
public sealed class SelfAttention : nn.Module
{
    public readonly Linear q_proj, k_proj, v_proj, o_proj;
    public readonly RmsNorm? q_norm, k_norm;
    public readonly Parameter? sinks;
    readonly AttentionSpec spec;

    public SelfAttention(AttentionSpec spec, TensorFactory f) : base(nameof(SelfAttention))
    {
        this.spec = spec;
        q_proj = new Linear(spec.Hidden, spec.Heads * spec.HeadDim, spec.Bias, f);
        k_proj = new Linear(spec.Hidden, spec.KvHeads * spec.HeadDim, spec.Bias, f);
        v_proj = new Linear(spec.Hidden, spec.KvHeads * spec.HeadDim, spec.Bias, f);
        o_proj = new Linear(spec.Heads * spec.HeadDim, spec.Hidden, spec.Bias, f);
        if (spec.QkNorm is { } style)
        {
            q_norm = new RmsNorm(spec.HeadDim, spec.NormEps, style, f);
            k_norm = new RmsNorm(spec.HeadDim, spec.NormEps, style, f);
        }
        if (spec.Sinks) sinks = f.Parameter(spec.Heads);
        RegisterComponents();
    }

    /// <summary>x (B, T, C) → (B, T, C).</summary>
    public Tensor Forward(Tensor x, AttentionInputs a)
    {
        using var scope = NewDisposeScope();
        long b = x.shape[0], t = x.shape[1];
        var q = q_proj.forward(x).view(b, t, spec.Heads, spec.HeadDim);   // (B, T, H, d)
        var k = k_proj.forward(x).view(b, t, spec.KvHeads, spec.HeadDim); // (B, T, Hkv, d)
        var v = v_proj.forward(x).view(b, t, spec.KvHeads, spec.HeadDim);
        if (q_norm is not null) { q = q_norm.forward(q); k = k_norm!.forward(k); } // before RoPE
        q = Rope.Apply(q.transpose(1, 2), a.Cos, a.Sin);                     // (B, H, T, d)
        k = Rope.Apply(k.transpose(1, 2), a.Cos, a.Sin);                     // (B, Hkv, T, d)
        v = v.transpose(1, 2);

        var output = a.RowCaches is { } rows ? AttendPerRow(q, k, v, a, rows) : AttendBatch(q, k, v, a); // (B, H, T, d)
        var merged = output.transpose(1, 2).reshape(b, t, spec.Heads * spec.HeadDim);
        return o_proj.forward(merged).MoveToOuterDisposeScope();
    }

    Tensor AttendBatch(Tensor q, Tensor k, Tensor v, AttentionInputs a)
    {
        var (keys, values, keyPositions) = a.Cache is { } cache ? cache.Append(k, v, a.Positions) : (k, v, a.Positions);
        var mask = AttentionMask.Allowed(a.Positions, keyPositions, a.Window);  // (B, 1, T, S)
        if (a.Segments is { } segments)
        {
            if (a.Cache is not null) throw new ArgumentException("packed segments are for training forwards without a KV cache");
            mask = mask.logical_and(AttentionMask.SameSegment(segments));
        }
        if (a.Bidirectional is { Count: > 0 } spans) mask = mask.logical_or(AttentionMask.WithinSpans(a.Positions, keyPositions, spans));
        return AttentionCore.Attend(q, keys, values, mask, spec.Scale, sinks, spec.Softcap);
    }

    /// <summary>Rows with caches of different lengths: projections were batched, attention runs row by row.</summary>
    Tensor AttendPerRow(Tensor q, Tensor k, Tensor v, AttentionInputs a, IReadOnlyList<LayerKvCache> caches)
    {
        var outputs = new Tensor[caches.Count];
        for (int b = 0; b < caches.Count; b++)
        {
            var position = a.Positions.narrow(0, b, 1);
            var (keys, values, keyPositions) = caches[b].Append(k.narrow(0, b, 1), v.narrow(0, b, 1), position);
            var mask = AttentionMask.Allowed(position, keyPositions, a.Window);
            outputs[b] = AttentionCore.Attend(q.narrow(0, b, 1), keys, values, mask, spec.Scale, sinks, spec.Softcap);
        }
        return cat(outputs, 0);
    }
}

public static class AttentionMask
{
    /// <summary>(B, 1, T, T): query t and key s belong to the same packed document.</summary>
    public static Tensor SameSegment(Tensor segments) => segments.unsqueeze(-1).eq(segments.unsqueeze(1)).unsqueeze(1);

    /// <summary>(B, 1, T, S): query and key lie in the same range [start, end) of positions.</summary>
    public static Tensor WithinSpans(Tensor queryPositions, Tensor keyPositions, IReadOnlyList<(long Start, long End)> spans)
    {
        using var scope = NewDisposeScope();
        var q = queryPositions.unsqueeze(-1); // (B, T, 1)
        var k = keyPositions.unsqueeze(1);    // (B, 1, S)
        var within = zeros(q.shape[0], q.shape[1], k.shape[2], ScalarType.Bool, q.device);
        foreach (var (start, end) in spans)
            within = within.logical_or(q.Ge(start).logical_and(q.Lt(end)).logical_and(k.Ge(start).logical_and(k.Lt(end))));
        return within.unsqueeze(1).MoveToOuterDisposeScope();
    }

    /// <summary>Key s is visible to query t iff it is a real token (position ≥ 0), not in the future, and —
    /// on sliding layers — within the last <paramref name="window"/> positions (the query's own included).</summary>
    public static Tensor Allowed(Tensor queryPositions, Tensor keyPositions, int window)
    {
        using var scope = NewDisposeScope();
        var q = queryPositions.unsqueeze(-1); // (B, T, 1)
        var k = keyPositions.unsqueeze(1);    // (B, 1, S)
        var allowed = k.Ge(0).logical_and(k.le(q));
        if (window > 0) allowed = allowed.logical_and(k.gt(q.Sub(window)));
        return allowed.unsqueeze(1).MoveToOuterDisposeScope();
    }
}

public static class AttentionCore
{
    // Finite rather than −∞ so that a fully masked row (a padding query) yields a harmless uniform
    // distribution instead of NaNs that would leak into later layers through 0·NaN.
    const float Masked = -1e30f;

    /// <summary>softmax(q·kᵀ·scale + mask [+ sink column]) · v with grouped KV heads; softmax in fp32.
    /// q (B, H, T, d); k, v (B, Hkv, S, d); allowed (B, 1, T, S) bool; sinks (H) or null.</summary>
    public static Tensor Attend(Tensor q, Tensor k, Tensor v, Tensor allowed, double scale, Tensor? sinks, double? softcap)
    {
        using var scope = NewDisposeScope();
        long b = q.shape[0], h = q.shape[1], t = q.shape[2], d = q.shape[3];
        long hkv = k.shape[1], s = k.shape[2], g = h / hkv;
        // Contiguous head groups share a KV head: view queries as (B, Hkv, G·T, d) instead of repeating K/V.
        var grouped = q.reshape(b, hkv, g * t, d);
        var scores = matmul(grouped, k.transpose(-1, -2)).to(ScalarType.Float32).MulInPlace(scale).view(b, h, t, s);
        if (softcap is { } cap) scores = scores.Div(cap).tanh_().MulInPlace(cap);
        scores = scores.MaskedFill(allowed.logical_not(), Masked);
        Tensor probs;
        if (sinks is not null)
        {
            // The sink is an extra logit column with no value vector: it only enlarges the denominator.
            var sinkColumn = sinks.to(ScalarType.Float32).view(1, h, 1, 1).expand(b, h, t, 1);
            probs = cat([scores, sinkColumn], -1).softmax(-1).narrow(-1, 0, s);
        }
        else probs = scores.softmax(-1);
        var output = matmul(probs.to(v.dtype).reshape(b, hkv, g * t, s), v);   // (B, Hkv, G·T, d)
        return output.view(b, h, t, v.shape[3]).MoveToOuterDisposeScope();
    }
}
