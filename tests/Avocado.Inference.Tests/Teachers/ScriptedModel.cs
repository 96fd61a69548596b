using System.Collections.Concurrent;
using Avocado.Models;
using Avocado.Models.Layers;
using static TorchSharp.torch;

namespace Avocado.Inference.Tests.Teachers;

/// <summary>A model that "generates" a fixed script of token ids, whatever the prompt: the script token gets logit 0,
/// token <see cref="Alternative"/> −30, every other −∞, so greedy and sampled decoding both follow the script. It
/// records the prompts of the rows of every forward pass, so tests can see how requests were batched.</summary>
/// <remarks>Its state lives in the KV cache, as a real model's does, so it survives the engine splitting a batch
/// prefill into per-request caches: each entry's key is the token id, its value 0 for a prompt token and 1 for a
/// generated one; the number of generated entries is the position in the script.</remarks>
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
        bool prefill = input.RowCaches is null;
        var prompts = new long[rows][];
        var steps = new int[rows];
        if (prefill)
        {
            // The whole batch goes into its one cache; a row's prompt is its ids at real positions.
            input.Cache!.Layers[0].Append(input.Ids.to(ScalarType.Float32).view(rows, 1, t, 1), zeros(rows, 1, t, 1), input.Positions);
            for (int b = 0; b < rows; b++)
            {
                var ids = input.Ids[b].data<long>().ToArray();
                var pos = input.Positions[b].data<long>().ToArray();
                prompts[b] = [.. ids.Where((_, i) => pos[i] >= 0)];
            }
        }
        else
            for (int b = 0; b < rows; b++)
            {
                var (keys, values, positions) = input.RowCaches![b].Layers[0].Append(
                    input.Ids[b].to(ScalarType.Float32).view(1, 1, 1, 1), ones(1, 1, 1, 1), input.Positions[b].unsqueeze(0));
                var ids = keys.flatten().data<float>().ToArray();
                var generated = values.flatten().data<float>().ToArray();
                var pos = positions.flatten().data<long>().ToArray();
                var real = Enumerable.Range(0, ids.Length).Where(i => pos[i] >= 0).ToArray();
                prompts[b] = [.. real.Where(i => generated[i] == 0).OrderBy(i => pos[i]).Select(i => (long)ids[i])];
                steps[b] = real.Count(i => generated[i] == 1);
            }
        Passes.Enqueue((prompts, prefill));
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
