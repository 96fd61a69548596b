using System.Collections.Concurrent;
using Avocado.Models;
using Avocado.Models.Layers;
using static TorchSharp.torch;

namespace Avocado.Inference.Tests.Teachers;

/// <summary>A model that "generates" a fixed script of token ids, whatever the prompt: the script token gets logit 0,
/// token <see cref="Alternative"/> −30, every other −∞, so greedy and sampled decoding both follow the script. It
/// records the prompts of the rows of every forward pass, so tests can see how requests were batched.</summary>
/// <remarks>Its state lives in the KV cache, as a real model's does, whether a request has a cache of its own or is a
/// row of a batch cache: each entry's key is the token id, its value 0 for a prompt token and 1 for a generated one;
/// the number of generated entries is the position in the script.</remarks>
sealed class ScriptedModel(int vocabSize, IReadOnlyList<long> script) : IGenerationModel
{
    public const long Alternative = 0;

    /// <summary>Each forward pass: the prompts of its rows, and whether it was a prefill.</summary>
    public ConcurrentQueue<(long[][] Rows, bool Prefill)> Passes { get; } = new();
    /// <summary>Forward passes wait on this (set by default).</summary>
    public ManualResetEventSlim Gate { get; } = new(true);

    public Device Device => CPU;
    public int VocabSize => vocabSize;
    public KvCache NewCache() => new([0]);

    public Tensor Forward(ForwardInputs input)
    {
        using var scope = NewDisposeScope();
        long rows = input.Ids.shape[0], t = input.Ids.shape[1];
        // A prefill starts an empty cache; anything else is a decode step (one shared cache, or one cache per row).
        bool prefill = input.RowCaches is null && input.Cache!.Length == 0;
        var ids = input.Ids.to(ScalarType.Float32).view(rows, 1, t, 1);
        var kind = full(new long[] { rows, 1, t, 1 }, prefill ? 0f : 1f);
        var views = input.RowCaches is { } perRow
            ? Enumerable.Range(0, (int)rows).Select(b => perRow[b].Layers[0].Append(ids[b].unsqueeze(0), kind[b].unsqueeze(0), input.Positions[b].unsqueeze(0))).ToArray()
            : [input.Cache!.Layers[0].Append(ids, kind, input.Positions)];
        var prompts = new List<long[]>();
        var steps = new int[rows];
        for (int b = 0; b < rows; b++)
        {
            var (keys, values, positions) = views.Length == 1 && rows > 1 ? (views[0].Keys[b], views[0].Values[b], views[0].Positions[b]) : views[input.RowCaches is null ? 0 : b];
            var tokens = keys.flatten().data<float>().ToArray();
            var generated = values.flatten().data<float>().ToArray();
            var pos = positions.flatten().data<long>().ToArray();
            var real = Enumerable.Range(0, tokens.Length).Where(i => pos[i] >= 0).ToArray();
            steps[b] = real.Count(i => generated[i] == 1);
            // Rows fed a masked dummy (a finished request in a lockstep batch) are not part of the pass.
            if (input.Positions[b, -1].item<long>() >= 0)
                prompts.Add([.. real.Where(i => generated[i] == 0).OrderBy(i => pos[i]).Select(i => (long)tokens[i])]);
        }
        Passes.Enqueue(([.. prompts], prefill));
        Gate.Wait(TimeSpan.FromSeconds(30));
        var logits = full(rows, 1, vocabSize, float.NegativeInfinity);
        for (int b = 0; b < rows; b++)
        {
            var token = script[Math.Min(steps[b], script.Count - 1)];
            logits[b, 0, Alternative] = tensor(-30f);
            logits[b, 0, token] = tensor(0f);
        }
        return logits.MoveToOuterDisposeScope();
    }
}
