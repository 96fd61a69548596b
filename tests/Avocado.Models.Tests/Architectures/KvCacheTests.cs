using TorchSharp;
using static TorchSharp.torch;

namespace Avocado.Models.Tests.Architectures;

/// <summary>Decoding with the KV cache computes the same logits as one full forward pass, including far past the
/// sliding window (tiny presets use window 8), in one-token steps and in multi-token chunks.</summary>
public class KvCacheTests
{
    internal static long[] RandomIds(int n, int vocab, int seed)
    {
        var rng = new Random(seed);
        return Enumerable.Range(0, n).Select(_ => (long)rng.Next(vocab)).ToArray();
    }

    internal static Tensor Incremental(CausalLM model, long[] ids, int[] chunkSizes)
    {
        using var cache = model.NewCache();
        var outputs = new List<Tensor>();
        int start = 0, c = 0;
        while (start < ids.Length)
        {
            var len = Math.Min(chunkSizes[Math.Min(c++, chunkSizes.Length - 1)], ids.Length - start);
            var chunk = tensor(ids[start..(start + len)]).unsqueeze(0);
            var positions = arange(start, start + len).unsqueeze(0);
            outputs.Add(model.Forward(new ForwardInputs(chunk, positions, cache))[0]);
            start += len;
        }
        return cat(outputs.ToArray(), 0);
    }

    [Theory]
    [MemberData(nameof(TinyCheckpoints.Families), MemberType = typeof(TinyCheckpoints))]
    public void Token_by_token_decoding_matches_the_full_forward(string family)
    {
        using var model = ModelLoader.Load(TinyCheckpoints.Get(family));
        using var _ = no_grad();
        var ids = RandomIds(29, model.Config.VocabSize, 7); // > 3 sliding windows
        using var full = model.Logits(ids);
        using var stepwise = Incremental(model, ids, [5, 1]);
        Assert.True(Tensors.MaxAbsDiff(full, stepwise) <= 1e-4, $"max abs diff {Tensors.MaxAbsDiff(full, stepwise)}");
    }

    [Theory]
    [MemberData(nameof(TinyCheckpoints.Families), MemberType = typeof(TinyCheckpoints))]
    public void Chunked_prefill_matches_the_full_forward(string family)
    {
        using var model = ModelLoader.Load(TinyCheckpoints.Get(family));
        using var _ = no_grad();
        var ids = RandomIds(40, model.Config.VocabSize, 3);
        using var full = model.Logits(ids);
        using var chunked = Incremental(model, ids, [3, 11, 2, 9, 1, 5]); // chunks both below and above the window
        Assert.True(Tensors.MaxAbsDiff(full, chunked) <= 1e-4, $"max abs diff {Tensors.MaxAbsDiff(full, chunked)}");
    }

    [Theory]
    [MemberData(nameof(TinyCheckpoints.Families), MemberType = typeof(TinyCheckpoints))]
    public void Sliding_layers_keep_only_their_window(string family)
    {
        using var model = ModelLoader.Load(TinyCheckpoints.Get(family));
        using var _ = no_grad();
        using var cache = model.NewCache();
        var ids = RandomIds(30, model.Config.VocabSize, 1);
        using var logits = model.Forward(new ForwardInputs(tensor(ids).unsqueeze(0), arange(30).unsqueeze(0), cache));
        for (int i = 0; i < model.Config.NumHiddenLayers; i++)
            Assert.Equal(model.Config.IsSliding(i) ? model.Config.SlidingWindowSize : 30, cache.Layers[i].StoredEntries);
    }

    [Theory]
    [MemberData(nameof(TinyCheckpoints.Families), MemberType = typeof(TinyCheckpoints))]
    public void Left_padded_batch_matches_each_sequence_alone(string family)
    {
        using var model = ModelLoader.Load(TinyCheckpoints.Get(family));
        using var _ = no_grad();
        var a = RandomIds(13, model.Config.VocabSize, 11);
        var b = RandomIds(4, model.Config.VocabSize, 12);
        var ids = tensor(Enumerable.Repeat(0L, 9).Concat(b).Concat(a).ToArray()).view(2, 13);
        var positions = tensor(Enumerable.Repeat(-1L, 9).Concat(Enumerable.Range(0, 4).Select(i => (long)i))
            .Concat(Enumerable.Range(0, 13).Select(i => (long)i)).ToArray()).view(2, 13);
        using var batched = model.Forward(new ForwardInputs(ids, positions));
        using var aloneA = model.Logits(a);
        using var aloneB = model.Logits(b);
        Assert.True(Tensors.MaxAbsDiff(batched[1], aloneA) <= 1e-4);
        Assert.True(Tensors.MaxAbsDiff(batched[0].narrow(0, 9, 4), aloneB) <= 1e-4);
        Assert.False(batched.isnan().any().item<bool>());
    }
}

/// <summary>Continuous batching: sequences with caches of different lengths decode together, one token each.</summary>
public class RowCacheTests
{
    [Theory]
    [MemberData(nameof(TinyCheckpoints.Families), MemberType = typeof(TinyCheckpoints))]
    public void Ragged_batch_step_matches_each_sequence_alone(string family)
    {
        using var model = ModelLoader.Load(TinyCheckpoints.Get(family));
        using var _ = no_grad();
        long[][] prompts = [[5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16], [3], [40, 41, 42, 43, 44]];
        long[] next = [17, 4, 45];
        var caches = prompts.Select(p =>
        {
            var c = model.NewCache();
            model.Forward(new ForwardInputs(tensor(p).unsqueeze(0), arange(p.Length).unsqueeze(0), c)).Dispose();
            return c;
        }).ToArray();
        using var step = model.Forward(new ForwardInputs(tensor(next).unsqueeze(1),
            tensor(prompts.Select(p => (long)p.Length).ToArray()).unsqueeze(1), RowCaches: caches));
        for (int i = 0; i < prompts.Length; i++)
        {
            using var alone = model.Logits([.. prompts[i], next[i]]);
            Assert.True(Tensors.MaxAbsDiff(alone[-1], step[i, 0]) <= 1e-4, $"{family} row {i}");
        }
        foreach (var c in caches) c.Dispose();
    }

    [Theory]
    [MemberData(nameof(TinyCheckpoints.Families), MemberType = typeof(TinyCheckpoints))]
    public void A_step_undone_with_truncate_and_run_again_gives_the_logits_of_a_straight_run(string family)
    {
        // The engine's recovery from a failed batched step: undo the step's writes, run it again (past the window).
        using var model = ModelLoader.Load(TinyCheckpoints.Get(family));
        using var _ = no_grad();
        var ids = KvCacheTests.RandomIds(20, model.Config.VocabSize, 9);
        using var straight = KvCacheTests.Incremental(model, ids, [1]);
        using var cache = model.NewCache();
        var outputs = new List<Tensor>();
        for (int t = 0; t < ids.Length; t++)
        {
            Tensor Step() => model.Forward(new ForwardInputs(tensor(new[] { ids[t] }).unsqueeze(0), arange(t, t + 1).unsqueeze(0), cache))[0];
            if (t % 3 == 2)
            {
                // A step that wrote a token (a different one, as a failure would leave garbage), then is undone.
                using var wrong = model.Forward(new ForwardInputs(tensor(new[] { (ids[t] + 1) % model.Config.VocabSize }).unsqueeze(0), arange(t, t + 1).unsqueeze(0), cache));
                cache.Truncate(t);
                Assert.Equal(t, cache.Length);
            }
            outputs.Add(Step());
        }
        using var redone = cat(outputs.ToArray(), 0);
        Assert.True(allclose(straight, redone, rtol: 1e-5, atol: 1e-5), $"max diff {(straight - redone).abs().max().item<float>()}");
        Assert.Throws<ArgumentOutOfRangeException>(() => cache.Layers[0].Truncate(cache.Length + 1));
    }
}
