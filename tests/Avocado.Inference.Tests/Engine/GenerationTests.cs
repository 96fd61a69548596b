using Avocado.Models;
using Avocado.Models.Generation;

namespace Avocado.Inference.Tests.Engine;

/// <summary>Whole-sequence generation through the engine, per family, checked against full forward passes (no cache,
/// no batching): what every caller — teachers, eval, the CLI — gets.</summary>
public class GenerationTests
{
    static EngineRequest Request(long[] prompt, SamplingOptions? s = null, int max = 12) =>
        new() { PromptIds = prompt, MaxNewTokens = max, Sampling = s ?? new SamplingOptions() };

    static async Task<GeneratedSequence> Alone(IGenerationModel model, EngineRequest request, Action<GeneratedToken>? onToken = null)
    {
        await using var engine = new InferenceEngine(model, new EngineOptions { MaxBatch = 1 });
        return await engine.CompleteAsync(request, onToken);
    }

    [Theory]
    [MemberData(nameof(TinyCheckpoints.Families), MemberType = typeof(TinyCheckpoints))]
    public async Task Greedy_generation_equals_argmax_of_full_forward_passes(string family)
    {
        using var model = ModelLoader.Load(TinyCheckpoints.Get(family));
        long[] prompt = [3, 14, 15, 92, 65];
        var generated = await Alone(model, Request(prompt, max: 14));
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
        Assert.Equal(14, generated.Tokens.Count);
    }

    [Theory]
    [MemberData(nameof(TinyCheckpoints.Families), MemberType = typeof(TinyCheckpoints))]
    public async Task A_group_of_prompts_of_different_lengths_matches_generation_alone(string family)
    {
        using var model = ModelLoader.Load(TinyCheckpoints.Get(family));
        long[][] prompts = [[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], [42], [7, 7, 7, 300]];
        var requests = prompts.Select((p, i) => Request(p, new SamplingOptions { Temperature = 0.9, TopP = 0.95, Seed = 11 + i }, max: 8 + 2 * i)).ToArray();
        await using var engine = new InferenceEngine(model, new EngineOptions { MaxBatch = 3 });
        var together = await Task.WhenAll(engine.CompleteTogether(requests));
        for (int i = 0; i < prompts.Length; i++)
            Assert.Equal((await Alone(model, requests[i])).Ids, together[i].Ids);
        Assert.True(engine.ForwardPasses < requests.Sum(r => r.MaxNewTokens), $"{engine.ForwardPasses} forward passes: the group was not batched");
    }

    [Fact]
    public async Task Seeded_sampling_is_reproducible_and_seed_sensitive()
    {
        using var model = ModelLoader.Load(TinyCheckpoints.Get("qwen3"));
        var s = new SamplingOptions { Temperature = 1.5, Seed = 1 };
        var a = (await Alone(model, Request([1, 2], s, 24))).Ids;
        var b = (await Alone(model, Request([1, 2], s, 24))).Ids;
        var c = (await Alone(model, Request([1, 2], s with { Seed = 2 }, 24))).Ids;
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
    }

    [Fact]
    public async Task Stops_on_a_stop_token_and_streams_every_token_in_order()
    {
        using var model = ModelLoader.Load(TinyCheckpoints.Get("gemma3"));
        var free = await Alone(model, Request([9, 8, 7], max: 10));
        var stopAt = free.Ids[3];
        var streamed = new List<long>();
        var stopped = await Alone(model, Request([9, 8, 7], max: 10) with { StopTokens = [stopAt] }, t => streamed.Add(t.Id));
        var firstStop = Array.IndexOf(free.Ids, stopAt);
        Assert.Equal(free.Ids[..(firstStop + 1)], stopped.Ids);
        Assert.Equal(FinishReason.Stop, stopped.Finish);
        Assert.Equal(stopped.Ids, streamed);
    }

    [Fact]
    public async Task Top_logprobs_are_the_best_alternatives_in_order()
    {
        using var model = ModelLoader.Load(TinyCheckpoints.Get("gpt-oss"));
        var result = await Alone(model, Request([5, 6], max: 3) with { TopLogprobs = 5 });
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
    public async Task Prompts_the_model_cannot_read_are_refused_with_a_reason()
    {
        using var model = ModelLoader.Load(TinyCheckpoints.Get("qwen3"));
        await using var engine = new InferenceEngine(model);
        Assert.Equal(SubmitResult.InvalidPrompt, engine.Submit(Request([1, 100000]), out _));
        Assert.Equal(SubmitResult.InvalidPrompt, engine.Submit(Request([1, -1]), out _));
        Assert.Equal(SubmitResult.InvalidPrompt, engine.Submit(Request([]), out _));
        var refused = await Assert.ThrowsAsync<GenerationException>(() => engine.CompleteAsync(Request([1, 100000])));
        Assert.Contains("outside the model's vocabulary", refused.Message);
        // A group is accepted whole or not at all.
        Assert.Equal(SubmitResult.InvalidPrompt, engine.SubmitGroup([Request([1, 2]), Request([])], out _));
        Assert.Equal(0, engine.Queued);
    }

    [Fact]
    public async Task Cancellation_stops_generation_and_keeps_what_was_generated()
    {
        using var model = ModelLoader.Load(TinyCheckpoints.Get("qwen3"));
        using var cts = new CancellationTokenSource();
        int seen = 0;
        var result = await Alone(model, Request([1, 2], max: 400) with { Cancellation = cts.Token }, _ => { if (++seen == 3) cts.Cancel(); });
        Assert.Equal(FinishReason.Cancelled, result.Finish);
        Assert.InRange(result.Tokens.Count, 3, 399);
    }
}
