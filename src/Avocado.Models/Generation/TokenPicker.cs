using TorchSharp;
using static TorchSharp.torch;

namespace Avocado.Models.Generation;

/// <summary>Chooses one sequence's next token from its logits (V) and reports its log-probability under the model
/// (temperature 1, before sampling transforms) with the top alternatives. Shared by batch generation and the
/// serving engine so both sample identically.</summary>
public static class TokenPicker
{
    public static GeneratedToken Pick(Tensor logits, IEnumerable<long> seen, SamplingOptions sampling, Generator generator, int topLogprobs)
    {
        using var scope = NewDisposeScope();
        var cpuLogits = logits.to(CPU);
        var id = Sampler.Choose(cpuLogits, seen, sampling, generator);
        var logprobs = cpuLogits.log_softmax(0);
        var top = new List<(long, float)>();
        if (topLogprobs > 0)
        {
            var (values, indices) = logprobs.topk(Math.Min(topLogprobs, (int)logprobs.shape[0]));
            var v = values.data<float>().ToArray();
            var ix = indices.data<long>().ToArray();
            for (int i = 0; i < v.Length; i++) top.Add((ix[i], v[i]));
        }
        return new GeneratedToken(id, logprobs[id].item<float>(), top);
    }
}
