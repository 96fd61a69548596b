using Avocado.Teachers;
using System.Threading.Channels;
using Avocado.Models;
using Avocado.Models.Generation;
using Avocado.Inference;

namespace Avocado.Inference.Tests.Engine;

public sealed class TinyModelFixture : IDisposable
{
    public string Directory { get; } = Path.Combine(Path.GetTempPath(), "avocado-engine-" + Guid.NewGuid().ToString("N"));
    public CausalLM Model { get; }

    public TinyModelFixture()
    {
        ModelInit.WriteTiny("gemma3", Directory, seed: 3); // sliding layers + GQA: the hardest cache layout
        Model = ModelLoader.Load(Directory);
    }

    public void Dispose()
    {
        Model.Dispose();
        System.IO.Directory.Delete(Directory, true);
    }
}

public class EngineTests(TinyModelFixture fixture) : IClassFixture<TinyModelFixture>
{
    static async Task<(List<GeneratedToken> Tokens, GenerationCompleted Done)> Collect(ChannelReader<EngineEvent> events,
        Action<int>? onToken = null)
    {
        var tokens = new List<GeneratedToken>();
        await foreach (var e in events.ReadAllAsync())
        {
            if (e is TokenGenerated t) { tokens.Add(t.Token); onToken?.Invoke(tokens.Count); }
            if (e is GenerationCompleted c) return (tokens, c);
        }
        throw new InvalidOperationException("stream ended without a completion event");
    }

    /// <summary>The request on an engine of its own, batch of one.</summary>
    long[] Alone(long[] prompt, SamplingOptions s, int max)
    {
        var engine = new InferenceEngine(fixture.Model, new EngineOptions { MaxBatch = 1 });
        try { return engine.CompleteAsync(new EngineRequest { PromptIds = prompt, MaxNewTokens = max, Sampling = s }).GetAwaiter().GetResult().Ids; }
        finally { engine.DisposeAsync().AsTask().GetAwaiter().GetResult(); }
    }

    /// <summary>The fixture's model, except that a prompt holding <see cref="Poison"/> throws (as a model bug would).</summary>
    sealed class BreakingModel(CausalLM inner) : IGenerationModel
    {
        public const long Poison = 13;
        public TorchSharp.torch.Device Device => inner.Device;
        public int VocabSize => inner.VocabSize;
        public Avocado.Models.Layers.KvCache NewCache() => inner.NewCache();
        public TorchSharp.torch.Tensor Forward(ForwardInputs input)
        {
            if (input.Ids.shape[1] > 1 && input.Ids.data<long>().Contains(Poison)) throw new InvalidOperationException("poisoned token");
            return inner.Forward(input);
        }
    }

    [Fact]
    public async Task Concurrent_requests_of_different_lengths_each_get_what_they_would_get_alone()
    {
        await using var engine = new InferenceEngine(fixture.Model, new EngineOptions { MaxBatch = 3 });
        long[][] prompts = [[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13], [77], [300, 301, 302], [9, 9], [5, 4, 3, 2, 1]];
        var sampling = prompts.Select((_, i) => i % 2 == 0 ? new SamplingOptions() : new SamplingOptions { Temperature = 0.8, Seed = i }).ToArray();
        var runs = prompts.Select((p, i) =>
        {
            Assert.Equal(SubmitResult.Accepted, engine.Submit(new EngineRequest { PromptIds = p, MaxNewTokens = 6 + 3 * i, Sampling = sampling[i] }, out var ev));
            return Collect(ev);
        }).ToArray();
        var results = await Task.WhenAll(runs);
        for (int i = 0; i < prompts.Length; i++)
        {
            Assert.Equal(Alone(prompts[i], sampling[i], 6 + 3 * i), results[i].Tokens.Select(t => t.Id));
            Assert.Equal(FinishReason.Length, results[i].Done.Finish);
            Assert.Equal(prompts[i].Length, results[i].Done.PromptTokens);
            Assert.Equal(6 + 3 * i, results[i].Done.CompletionTokens);
        }
    }

    [Fact]
    public async Task A_request_that_breaks_the_model_fails_alone_and_its_batch_partners_finish()
    {
        await using var engine = new InferenceEngine(new BreakingModel(fixture.Model), new EngineOptions { MaxBatch = 4 });
        long[] good1 = [1, 2, 3, 4], good2 = [50, 60];
        long[] broken = [5, BreakingModel.Poison];
        var sampling = new SamplingOptions();
        var runs = new[] { good1, broken, good2 }.Select(p =>
        {
            Assert.Equal(SubmitResult.Accepted, engine.Submit(new EngineRequest { PromptIds = p, MaxNewTokens = 8, Sampling = sampling }, out var ev));
            return Collect(ev);
        }).ToArray();
        var results = await Task.WhenAll(runs);

        Assert.Empty(results[1].Tokens);
        Assert.NotNull(results[1].Done.Error);
        Assert.Equal(Alone(good1, sampling, 8), results[0].Tokens.Select(t => t.Id));
        Assert.Equal(Alone(good2, sampling, 8), results[2].Tokens.Select(t => t.Id));
        Assert.All(new[] { results[0], results[2] }, r => Assert.Null(r.Done.Error));

        // The engine still serves.
        Assert.Equal(SubmitResult.Accepted, engine.Submit(new EngineRequest { PromptIds = good2, MaxNewTokens = 3, Sampling = sampling }, out var after));
        Assert.Equal(3, (await Collect(after)).Tokens.Count);
    }

    [Fact]
    public async Task Cancelling_stops_generation_and_reports_what_was_generated()
    {
        await using var engine = new InferenceEngine(fixture.Model);
        using var cts = new CancellationTokenSource();
        engine.Submit(new EngineRequest { PromptIds = [1, 2], MaxNewTokens = 200, Cancellation = cts.Token }, out var events);
        var (tokens, done) = await Collect(events, n => { if (n == 4) cts.Cancel(); });
        Assert.Equal(FinishReason.Cancelled, done.Finish);
        Assert.Equal(tokens.Count, done.CompletionTokens);
        Assert.InRange(tokens.Count, 4, 5); // the step in flight when the client left may still land
    }

    [Fact]
    public async Task Stop_tokens_end_a_request()
    {
        await using var engine = new InferenceEngine(fixture.Model);
        var free = Alone([8, 8, 8], new SamplingOptions(), 8);
        engine.Submit(new EngineRequest { PromptIds = [8, 8, 8], MaxNewTokens = 8, StopTokens = [free[2]] }, out var events);
        var (tokens, done) = await Collect(events);
        Assert.Equal(FinishReason.Stop, done.Finish);
        Assert.Equal(free[..(Array.IndexOf(free, free[2]) + 1)], tokens.Select(t => t.Id));
    }

    [Fact]
    public async Task A_full_queue_and_an_oversized_prompt_are_refused_not_queued()
    {
        await using var engine = new InferenceEngine(fixture.Model, new EngineOptions { MaxBatch = 1, MaxQueue = 1, MaxContext = 64 });
        Assert.Equal(SubmitResult.PromptTooLong, engine.Submit(new EngineRequest { PromptIds = new long[60], MaxNewTokens = 10 }, out _));
        using var cts = new CancellationTokenSource();
        var results = Enumerable.Range(0, 6)
            .Select(_ => engine.Submit(new EngineRequest { PromptIds = [1], MaxNewTokens = 50, Cancellation = cts.Token }, out var _)).ToList();
        Assert.Contains(SubmitResult.QueueFull, results);
        cts.Cancel();
    }
}
