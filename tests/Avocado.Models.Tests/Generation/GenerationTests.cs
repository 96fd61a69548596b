using Avocado.Models.Generation;
using TorchSharp;
using static TorchSharp.torch;

namespace Avocado.Models.Tests.Generation;

public class GenerationTests
{
    static GenerationRequest Request(IReadOnlyList<long[]> prompts, SamplingOptions? s = null, int max = 12) =>
        new() { Prompts = prompts, MaxNewTokens = max, Sampling = s ?? new SamplingOptions() };

    [Theory]
    [MemberData(nameof(TinyCheckpoints.Families), MemberType = typeof(TinyCheckpoints))]
    public void Greedy_generation_equals_argmax_of_full_forward_passes(string family)
    {
        using var model = ModelLoader.Load(TinyCheckpoints.Get(family));
        long[] prompt = [3, 14, 15, 92, 65];
        var generated = TextGenerator.Generate(model, Request([prompt], max: 14))[0];
        var ids = prompt.ToList();
        foreach (var token in generated.Tokens)
        {
            using var logits = model.Logits(ids.ToArray());
            var last = logits[-1];
            Assert.Equal(last.argmax().item<long>(), token.Id);
            Assert.Equal(last.log_softmax(0)[token.Id].item<float>(), token.Logprob, 4);
            ids.Add(token.Id);
        }
        Assert.Equal(FinishReason.Length, generated.Finish);
    }

    [Theory]
    [MemberData(nameof(TinyCheckpoints.Families), MemberType = typeof(TinyCheckpoints))]
    public void Batched_prompts_of_different_lengths_match_generation_alone(string family)
    {
        using var model = ModelLoader.Load(TinyCheckpoints.Get(family));
        long[][] prompts = [[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], [42], [7, 7, 7, 300]];
        var sampling = new SamplingOptions { Temperature = 0.9, TopP = 0.95, Seed = 11 };
        var batched = TextGenerator.Generate(model, Request(prompts, sampling));
        for (int i = 0; i < prompts.Length; i++)
        {
            // Sequence i samples with seed + i, whatever its batch partners.
            var alone = TextGenerator.Generate(model, Request([prompts[i]], sampling with { Seed = 11 + i }))[0];
            Assert.Equal(alone.Ids, batched[i].Ids);
        }
    }

    [Fact]
    public void Seeded_sampling_is_reproducible_and_seed_sensitive()
    {
        using var model = ModelLoader.Load(TinyCheckpoints.Get("qwen3"));
        var s = new SamplingOptions { Temperature = 1.5, Seed = 1 };
        var a = TextGenerator.Generate(model, Request([[1, 2]], s, 24))[0].Ids;
        var b = TextGenerator.Generate(model, Request([[1, 2]], s, 24))[0].Ids;
        var c = TextGenerator.Generate(model, Request([[1, 2]], s with { Seed = 2 }, 24))[0].Ids;
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
    }

    [Fact]
    public void Stops_on_a_stop_token_and_streams_every_token_in_order()
    {
        using var model = ModelLoader.Load(TinyCheckpoints.Get("gemma3"));
        var free = TextGenerator.Generate(model, Request([[9, 8, 7]], max: 10))[0];
        var stopAt = free.Ids[3];
        var streamed = new List<long>();
        var stopped = TextGenerator.Generate(model, Request([[9, 8, 7]], max: 10) with
        {
            StopTokens = [stopAt],
            OnToken = e => streamed.Add(e.Token.Id),
        })[0];
        var firstStop = Array.IndexOf(free.Ids, stopAt);
        Assert.Equal(free.Ids[..(firstStop + 1)], stopped.Ids);
        Assert.Equal(FinishReason.Stop, stopped.Finish);
        Assert.Equal(stopped.Ids, streamed);
    }

    [Fact]
    public void Top_logprobs_are_the_best_alternatives_in_order()
    {
        using var model = ModelLoader.Load(TinyCheckpoints.Get("gpt-oss"));
        var result = TextGenerator.Generate(model, Request([[5, 6]], max: 3) with { TopLogprobs = 5 })[0];
        foreach (var t in result.Tokens)
        {
            Assert.Equal(5, t.Top.Count);
            Assert.Equal(t.Id, t.Top[0].Id); // greedy: the chosen token is the most likely
            Assert.Equal(t.Logprob, t.Top[0].Logprob);
            for (int i = 1; i < 5; i++) Assert.True(t.Top[i].Logprob <= t.Top[i - 1].Logprob);
            Assert.True(t.Top.Sum(x => Math.Exp(x.Logprob)) <= 1.0001);
        }
    }

    [Fact]
    public void Bad_requests_fail_clearly()
    {
        using var model = ModelLoader.Load(TinyCheckpoints.Get("qwen3"));
        Assert.Contains("outside the vocabulary", Assert.Throws<ArgumentException>(() => TextGenerator.Generate(model, Request([[1, 100000]]))).Message);
        Assert.Contains("empty", Assert.Throws<ArgumentException>(() => TextGenerator.Generate(model, Request([[]]))).Message);
        Assert.Throws<ArgumentException>(() => TextGenerator.Generate(model, Request([[1]], new SamplingOptions { TopP = 0 })));
    }

    [Fact]
    public void Cancellation_stops_generation()
    {
        using var model = ModelLoader.Load(TinyCheckpoints.Get("qwen3"));
        using var cts = new CancellationTokenSource();
        var result = TextGenerator.Generate(model, Request([[1, 2]], max: 50) with
        {
            Cancellation = cts.Token,
            OnToken = e => { if (e.Index == 2) cts.Cancel(); },
        })[0];
        Assert.Equal(3, result.Tokens.Count);
        Assert.Equal(FinishReason.Cancelled, result.Finish);
    }
}

public class SamplerTests
{
    static Tensor Logits(params float[] v) => tensor(v);

    [Fact]
    public void Top_k_keeps_the_k_largest()
    {
        var kept = Sampler.TopK(Logits(1, 5, 3, 4), 2);
        Assert.Equal([float.NegativeInfinity, 5, float.NegativeInfinity, 4], Tensors.Floats(kept));
    }

    [Fact]
    public void Top_p_keeps_the_smallest_set_reaching_p()
    {
        // probabilities 0.5, 0.3, 0.15, 0.05 (as logits of their logs)
        var l = Logits(MathF.Log(0.15f), MathF.Log(0.5f), MathF.Log(0.05f), MathF.Log(0.3f));
        var kept = Tensors.Floats(Sampler.TopP(l, 0.75));
        Assert.Equal([false, true, false, true], kept.Select(float.IsFinite).ToArray());
        var tiny = Tensors.Floats(Sampler.TopP(l, 0.01)); // always at least the best token
        Assert.Equal([false, true, false, false], tiny.Select(float.IsFinite).ToArray());
    }

    [Fact]
    public void Repetition_penalty_divides_positive_and_multiplies_negative_logits()
    {
        var p = Tensors.Floats(Sampler.ApplyRepetitionPenalty(Logits(2, -2, 2, -2), [0, 1, 1], 2));
        Assert.Equal([1, -4, 2, -2], p);
    }

    [Fact]
    public void Sampling_frequencies_follow_the_tempered_distribution()
    {
        var l = Logits(0, MathF.Log(3)); // p = 1/4, 3/4
        var g = new Generator(3);
        var s = new SamplingOptions { Temperature = 1 };
        var ones = Enumerable.Range(0, 4000).Count(_ => Sampler.Choose(l, [], s, g) == 1);
        Assert.InRange(ones / 4000.0, 0.72, 0.78);
    }
}
