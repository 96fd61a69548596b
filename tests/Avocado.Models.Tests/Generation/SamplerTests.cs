using Avocado.Models.Generation;
using TorchSharp;
using static TorchSharp.torch;

namespace Avocado.Models.Tests.Generation;

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
