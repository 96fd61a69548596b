using Avocado.Models.Layers;
using TorchSharp;
using static TorchSharp.torch;

namespace Avocado.Models.Generation;

/// <summary>Autoregressive decoding of a batch of prompts with a KV cache. Prompts of different lengths are
/// left-padded; padding gets position −1, which the attention mask hides, so every sequence computes exactly what
/// it would alone.</summary>
public static class TextGenerator
{
    public static IReadOnlyList<GeneratedSequence> Generate(CausalLM model, GenerationRequest request)
    {
        request.Sampling.Validate();
        if (request.Prompts.Count == 0) throw new ArgumentException("at least one prompt is required");
        if (request.MaxNewTokens < 0) throw new ArgumentException("max new tokens must be ≥ 0");
        var vocab = model.Config.VocabSize;
        for (int i = 0; i < request.Prompts.Count; i++)
        {
            if (request.Prompts[i].Length == 0) throw new ArgumentException($"prompt {i} is empty; at least one token is required");
            foreach (var id in request.Prompts[i])
                if (id < 0 || id >= vocab)
                    throw new ArgumentException($"prompt {i} holds token id {id}, outside the vocabulary [0, {vocab})");
        }

        int batch = request.Prompts.Count;
        var outputs = Enumerable.Range(0, batch).Select(_ => new List<GeneratedToken>()).ToArray();
        var finish = new FinishReason?[batch];
        var generators = Enumerable.Range(0, batch).Select(i => new Generator((ulong)(request.Sampling.Seed + i))).ToArray();
        var nextPosition = request.Prompts.Select(p => (long)p.Length).ToArray();
        var stop = request.StopTokens.ToHashSet();
        if (request.MaxNewTokens == 0) return outputs.Select(o => new GeneratedSequence(o, FinishReason.Length)).ToArray();

        using var _ = no_grad();
        using var cache = model.NewCache();
        var logits = Prefill(model, request.Prompts, cache);
        for (int step = 0; ; step++)
        {
            using (var scope = NewDisposeScope())
            {
                for (int b = 0; b < batch; b++)
                {
                    if (finish[b] is not null) continue;
                    var token = TokenPicker.Pick(logits[b, 0], request.Prompts[b].Concat(outputs[b].Select(t => t.Id)), request.Sampling, generators[b], request.TopLogprobs);
                    outputs[b].Add(token);
                    request.OnToken?.Invoke(new TokenEvent(b, outputs[b].Count - 1, token));
                    if (stop.Contains(token.Id)) finish[b] = FinishReason.Stop;
                    else if (outputs[b].Count >= request.MaxNewTokens) finish[b] = FinishReason.Length;
                }
                if (request.Cancellation.IsCancellationRequested)
                    for (int b = 0; b < batch; b++) finish[b] ??= FinishReason.Cancelled;
            }
            logits.Dispose();
            if (finish.All(f => f is not null)) break;

            // Finished sequences feed a masked dummy token so the batch keeps one shape.
            var ids = new long[batch];
            var positions = new long[batch];
            for (int b = 0; b < batch; b++)
            {
                ids[b] = finish[b] is null ? outputs[b][^1].Id : 0;
                positions[b] = finish[b] is null ? nextPosition[b]++ : -1;
            }
            using var scope2 = NewDisposeScope();
            logits = model.Forward(new ForwardInputs(
                tensor(ids, device: model.Device).unsqueeze(1), tensor(positions, device: model.Device).unsqueeze(1),
                cache, LastPositionOnly: true)).MoveToOuterDisposeScope();
        }
        return outputs.Select((o, b) => new GeneratedSequence(o, finish[b]!.Value)).ToArray();
    }

    static Tensor Prefill(CausalLM model, IReadOnlyList<long[]> prompts, KvCache cache)
    {
        using var scope = NewDisposeScope();
        int batch = prompts.Count, length = prompts.Max(p => p.Length);
        var ids = new long[batch * length];
        var positions = new long[batch * length];
        for (int b = 0; b < batch; b++)
        {
            var pad = length - prompts[b].Length;
            for (int t = 0; t < length; t++)
            {
                ids[b * length + t] = t < pad ? 0 : prompts[b][t - pad];
                positions[b * length + t] = t < pad ? -1 : t - pad;
            }
        }
        return model.Forward(new ForwardInputs(
            tensor(ids, device: model.Device).view(batch, length), tensor(positions, device: model.Device).view(batch, length),
            cache, LastPositionOnly: true)).MoveToOuterDisposeScope();
    }
}
