using Avocado.Models.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace Avocado.Models.Layers;

/// <summary>Keys and values one attention layer has seen, with the absolute position of each entry
/// (-1 marks padding and empty slots, which the mask then hides).</summary>
/// <remarks>Full-attention layers keep every entry in a buffer that doubles when full. Sliding layers keep a
/// ring of exactly <c>window</c> entries: a query at position q only sees keys in (q − window, q], and the
/// mask is computed from stored positions, so the order of entries inside the ring does not matter.</remarks>
public sealed class LayerKvCache : IDisposable
{
    readonly int window; // 0 = full attention
    Tensor? keys, values, positions; // (B, Hkv, cap, d), (B, Hkv, cap, d), (B, cap) int64
    long written; // entries appended so far (including padding), identical for every row

    public LayerKvCache(int window) => this.window = window;

    public long Length => written;

    /// <summary>Forgets what was appended after the first <paramref name="length"/> entries: undoes the partial writes
    /// of a step that failed before every layer ran, so the step can run again. On sliding layers only a one-token
    /// step can be undone (the ring has overwritten older entries, which that step would overwrite again).</summary>
    public void Truncate(long length)
    {
        if (length < 0 || length > written) throw new ArgumentOutOfRangeException(nameof(length), $"{length} is not in [0, {written}]");
        if (window > 0 && written - length > 1 && written > window)
            throw new InvalidOperationException($"a sliding layer can undo one token, not {written - length}: older entries are overwritten");
        written = length;
    }

    /// <summary>Entries physically held: all of them on full layers, at most the window on sliding layers.</summary>
    public long StoredEntries => window > 0 ? Math.Min(written, window) : written;

    /// <summary>Adds this step's keys/values (B, Hkv, T, d) at positions (B, T) and returns what the step's queries
    /// attend over: keys, values and their positions (B, S).</summary>
    public (Tensor Keys, Tensor Values, Tensor Positions) Append(Tensor k, Tensor v, Tensor pos)
    {
        var t = k.shape[2];
        if (window > 0) return AppendRing(k, v, pos, t);
        EnsureCapacity(k, written + t);
        var idx = ScalarOps.Arange(written, written + t, k.device);
        keys!.index_copy_(2, idx, k);
        values!.index_copy_(2, idx, v);
        positions!.index_copy_(1, idx, pos);
        written += t;
        return (keys.narrow(2, 0, written), values.narrow(2, 0, written), positions.narrow(1, 0, written));
    }

    (Tensor, Tensor, Tensor) AppendRing(Tensor k, Tensor v, Tensor pos, long t)
    {
        EnsureCapacity(k, window);
        Tensor ks, vs, ps;
        if (t == 1)
        {
            // Decoding: overwrite the oldest slot, then attend over the whole ring.
            Write(k, v, pos, written, 0, 1);
            (ks, vs, ps) = (keys!.alias(), values!.alias(), positions!.alias());
        }
        else
        {
            // Prefill: the chunk's own earlier tokens may be needed, so attend over ring ∪ chunk first,
            // then keep the chunk's last `window` entries.
            ks = cat([keys!, k], 2); vs = cat([values!, v], 2); ps = cat([positions!, pos], 1);
            var keep = Math.Min(t, window);
            Write(k, v, pos, written + t - keep, t - keep, keep);
        }
        written += t;
        return (ks, vs, ps);
    }

    void Write(Tensor k, Tensor v, Tensor pos, long firstColumn, long from, long count)
    {
        var slots = ScalarOps.Arange(firstColumn, firstColumn + count, k.device).Remainder(window);
        keys!.index_copy_(2, slots, k.narrow(2, from, count));
        values!.index_copy_(2, slots, v.narrow(2, from, count));
        positions!.index_copy_(1, slots, pos.narrow(1, from, count));
    }

    void EnsureCapacity(Tensor like, long needed)
    {
        var capacity = keys?.shape[2] ?? 0;
        if (needed <= capacity) return;
        var newCapacity = window > 0 ? window : Math.Max(needed, Math.Max(64, capacity * 2));
        long b = like.shape[0], h = like.shape[1], d = like.shape[3];
        var newKeys = zeros([b, h, newCapacity, d], like.dtype, like.device).DetachFromDisposeScope();
        var newValues = zeros([b, h, newCapacity, d], like.dtype, like.device).DetachFromDisposeScope();
        var newPositions = ScalarOps.Full([b, newCapacity], -1L, ScalarType.Int64, like.device).DetachFromDisposeScope();
        if (keys is not null)
        {
            newKeys.narrow(2, 0, capacity).copy_(keys);
            newValues.narrow(2, 0, capacity).copy_(values!);
            newPositions.narrow(1, 0, capacity).copy_(positions!);
            Dispose();
        }
        (keys, values, positions) = (newKeys, newValues, newPositions);
    }

    public void Dispose()
    {
        keys?.Dispose(); values?.Dispose(); positions?.Dispose();
        keys = values = positions = null;
    }
}

/// <summary>One <see cref="LayerKvCache"/> per layer of a model, for one batch of sequences.</summary>
public sealed class KvCache : IDisposable
{
    public IReadOnlyList<LayerKvCache> Layers { get; }

    public KvCache(IEnumerable<int> windowPerLayer) => Layers = windowPerLayer.Select(w => new LayerKvCache(w)).ToArray();

    /// <summary>Tokens appended so far (prompt + generated, padding included).</summary>
    public long Length => Layers[0].Length;

    /// <summary>Back to <paramref name="length"/> tokens in every layer (layers a failed step did not reach are there already).</summary>
    public void Truncate(long length)
    {
        foreach (var l in Layers) l.Truncate(Math.Min(length, l.Length));
    }

    public void Dispose()
    {
        foreach (var l in Layers) l.Dispose();
    }
}
