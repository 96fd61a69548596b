using System.Collections.Concurrent;
using Avocado.Models;
using Avocado.Models.Layers;
using static TorchSharp.torch;

namespace Avocado.Inference.Tests.Teachers;

/// <summary>A model that "generates" a fixed script of token ids, whatever the prompt: the script token gets logit 0,
/// token <see cref="Alternative"/> −30, every other −∞, so greedy and sampled decoding both follow the script. It
/// records the prompts of the rows of every forward pass, so tests can see how requests were batched.</summary>
sealed class ScriptedModel(int vocabSize, IReadOnlyList<long> script) : IGenerationModel
{
    public const long Alternative = 0;
    readonly ConcurrentDictionary<KvCache, (long[] Prompt, int Step)> sequences = new();

    /// <summary>Each forward pass: the prompts of its rows, and whether it was a prefill.</summary>
    public ConcurrentQueue<(long[][] Rows, bool Prefill)> Passes { get; } = new();
    /// <summary>Forward passes wait on this (set by default).</summary>
    public ManualResetEventSlim Gate { get; } = new(true);

    public Device Device => CPU;
    public int VocabSize => vocabSize;
    public KvCache NewCache() => new([0]);

    public Tensor Forward(ForwardInputs input)
    {
        var caches = input.RowCaches ?? [input.Cache!];
        bool prefill = input.RowCaches is null;
        var steps = new int[caches.Count];
        for (int b = 0; b < caches.Count; b++)
        {
            var state = prefill ? (input.Ids[b].data<long>().ToArray(), 0) : sequences[caches[b]];
            steps[b] = state.Item2;
            sequences[caches[b]] = (state.Item1, state.Item2 + 1);
        }
        Passes.Enqueue(([.. caches.Select(c => sequences[c].Prompt)], prefill));
        Gate.Wait(TimeSpan.FromSeconds(30));
        using var scope = NewDisposeScope();
        var logits = full(caches.Count, 1, vocabSize, float.NegativeInfinity);
        for (int b = 0; b < caches.Count; b++)
        {
            var token = script[Math.Min(steps[b], script.Count - 1)];
            logits[b, 0, Alternative] = tensor(-30f);
            logits[b, 0, token] = tensor(0f);
        }
        return logits.MoveToOuterDisposeScope();
    }
}
