using Avocado.Models.Architectures;
using Avocado.Models.Config;
using Avocado.Models.Layers;
using Avocado.Models.Quantization;
using TorchSharp;
using static TorchSharp.torch;

namespace Avocado.Models.Tests.Architectures;

/// <summary>Each non-obvious component against values computed by hand from the published formulas.</summary>
public class ComponentTests
{
    [Fact]
    public void Attention_sink_probabilities_match_the_formula()
    {
        // One head, one query, three keys: p_j = exp(s_j) / (Σ exp(s_k) + exp(sink)).
        var q = tensor(new float[] { 1, 0, 2, -1 }).view(1, 1, 1, 4);
        var k = tensor(new float[] { 1, 1, 0, 0, 0, 1, 1, 0, -1, 0, 0, 1 }).view(1, 1, 3, 4);
        var v = eye(3).view(1, 1, 3, 3); // output row = the probabilities themselves
        var allowed = ones(1, 1, 1, 3, dtype: ScalarType.Bool);
        var sink = tensor(new float[] { 0.7f });
        double scale = 0.5;
        double[] s = [1 * scale, 2 * scale, (-1 - 1) * scale];
        var denominator = s.Sum(Math.Exp) + Math.Exp(0.7);
        var expected = s.Select(x => Math.Exp(x) / denominator).ToArray();

        var p = Tensors.Floats(AttentionCore.Attend(q, k, v, allowed, scale, sink, null));
        for (int j = 0; j < 3; j++) Assert.Equal(expected[j], p[j], 6);
        Assert.True(p.Sum() < 1);
    }

    [Fact]
    public void Masked_keys_get_zero_probability_and_fully_masked_rows_stay_finite()
    {
        var q = randn(1, 2, 2, 4);
        var k = randn(1, 1, 3, 4);
        var v = eye(3).view(1, 1, 3, 3);
        var allowed = tensor(new[] { true, false, true, false, false, false }).view(1, 1, 2, 3);
        var p = AttentionCore.Attend(q, k, v, allowed, 1, null, null);
        Assert.Equal(0f, p[0, 0, 0, 1].item<float>());
        Assert.Equal(1f, (p[0, 0, 0, 0] + p[0, 0, 0, 2]).item<float>(), 5);
        Assert.False(p.isnan().any().item<bool>());
    }

    [Fact]
    public void Sliding_window_mask_sees_exactly_the_last_W_positions()
    {
        var positions = arange(10).unsqueeze(0);
        var allowed = AttentionMask.Allowed(positions, positions, 4)[0, 0];
        for (int q = 0; q < 10; q++)
        for (int key = 0; key < 10; key++)
            Assert.Equal(key <= q && key > q - 4, allowed[q, key].item<bool>());
    }

    [Fact]
    public void Mxfp4_dequantisation_matches_hand_computed_values()
    {
        // Byte j holds element 2j in its low nibble and 2j+1 in its high nibble.
        var bytes = new byte[32];
        bytes[0] = 0x21;  // low 1 (0.5), high 2 (1.0)
        bytes[1] = 0xF8;  // low 8 (−0), high 15 (−6)
        bytes[2] = 0x7A;  // low 10 (−1), high 7 (6)
        bytes[16] = 0x53; // second block: low 3 (1.5), high 5 (3)
        var blocks = tensor(bytes, dtype: ScalarType.Byte).view(1, 2, 16);
        var scales = tensor(new byte[] { 128, 125 }, dtype: ScalarType.Byte).view(1, 2); // ×2 and ×1/4
        var v = Tensors.Floats(Mxfp4.Dequantize(blocks, scales));
        Assert.Equal(64, v.Length);
        Assert.Equal([1f, 2f, -0f, -12f, -2f, 12f], v[..6]);
        Assert.Equal(0f, v[6]);
        Assert.Equal(1.5f / 4, v[32]);
        Assert.Equal(3f / 4, v[33]);
    }

    [Fact]
    public void Mxfp4_rejects_mismatched_shapes()
    {
        var blocks = zeros(2, 3, 16, dtype: ScalarType.Byte);
        var scales = zeros(2, 4, dtype: ScalarType.Byte);
        Assert.Throws<ArgumentException>(() => Mxfp4.Dequantize(blocks, scales));
    }

    [Fact]
    public void Yarn_frequencies_match_the_gpt_oss_constants()
    {
        var scaling = new RopeScaling { RopeType = "yarn", Factor = 32, BetaFast = 32, BetaSlow = 1, OriginalMaxPositionEmbeddings = 4096, Truncate = false };
        var rope = Rope.Yarn(150000, 64, scaling);
        Assert.Equal(0.1 * Math.Log(32) + 1, rope.AttentionScaling, 12);
        Assert.Equal(1.346574, rope.AttentionScaling, 6);
        // Correction range (d/2)·ln(4096/(β·2π))/ln θ, not rounded since truncate is false; the spec quotes 8.0928 and 17.3980.
        double low = 32 * Math.Log(4096 / (32 * 2 * Math.PI)) / Math.Log(150000);
        double high = 32 * Math.Log(4096 / (1 * 2 * Math.PI)) / Math.Log(150000);
        Assert.Equal(8.0928, low, 4);
        Assert.Equal(17.3980, high, 4);
        for (int i = 0; i < 32; i++)
        {
            var extrapolation = Math.Pow(150000, -2.0 * i / 64);
            var ramp = Math.Clamp((i - low) / (high - low), 0, 1);
            var expected = extrapolation / 32 * ramp + extrapolation * (1 - ramp);
            Assert.True(Math.Abs(expected - rope.InvFreq[i]) <= 1e-12 * expected, $"pair {i}: {rope.InvFreq[i]} vs {expected}");
        }
        Assert.Equal(1.0, rope.InvFreq[0], 12);                          // below low: pure extrapolation
        Assert.Equal(Math.Pow(150000, -62.0 / 64) / 32, rope.InvFreq[31], 15); // above high: pure interpolation
    }

    [Fact]
    public void Rope_rotates_half_pairs_by_position_times_frequency()
    {
        var rope = new Rope([1.0, 0.1]);
        var (cos, sin) = rope.Tables(tensor(new long[] { 3 }).view(1, 1), ScalarType.Float32);
        var x = tensor(new float[] { 1, 2, 3, 4 }).view(1, 1, 1, 4); // pairs (x0, x2) and (x1, x3)
        var y = Tensors.Floats(Rope.Apply(x, cos, sin));
        double a0 = 3 * 1.0, a1 = 3 * 0.1;
        Assert.Equal(1 * Math.Cos(a0) - 3 * Math.Sin(a0), y[0], 5);
        Assert.Equal(2 * Math.Cos(a1) - 4 * Math.Sin(a1), y[1], 5);
        Assert.Equal(3 * Math.Cos(a0) + 1 * Math.Sin(a0), y[2], 5);
        Assert.Equal(4 * Math.Cos(a1) + 2 * Math.Sin(a1), y[3], 5);
    }

    [Theory]
    [InlineData(NormStyle.Llama)]
    [InlineData(NormStyle.GemmaOnePlus)]
    [InlineData(NormStyle.WeightInFp32)]
    public void Rms_norm_variants(NormStyle style)
    {
        var norm = new RmsNorm(4, 1e-6, style, TensorFactory.Cpu());
        using (no_grad()) norm.weight.copy_(tensor(new float[] { 0.5f, 1, 2, -1 }));
        float[] x = [1, 2, 3, 4];
        var rms = Math.Sqrt(x.Select(v => (double)v * v).Average() + 1e-6);
        var y = Tensors.Floats(norm.forward(tensor(x)));
        float[] w = [0.5f, 1, 2, -1];
        for (int i = 0; i < 4; i++)
            Assert.Equal(x[i] / rms * (style == NormStyle.GemmaOnePlus ? 1 + w[i] : w[i]), y[i], 5);
    }

    [Fact]
    public void Moe_routing_weights_match_a_direct_computation()
    {
        using var model = ModelLoader.Load(TinyCheckpoints.Get("gpt-oss"));
        var mlp = ((GptOssDecoderLayer)model.model.layers[0]).mlp;
        var c = (GptOssConfig)model.Config;
        using var _ = no_grad();
        var x = randn(5, c.HiddenSize, generator: new Generator(4));
        var (indices, weights) = mlp.Route(x);
        var w = mlp.router.weight.data<float>().ToArray();
        var bias = mlp.router.bias!.data<float>().ToArray();
        var xs = x.data<float>().ToArray();
        for (int n = 0; n < 5; n++)
        {
            var logits = Enumerable.Range(0, c.NumLocalExperts).Select(e =>
                bias[e] + Enumerable.Range(0, c.HiddenSize).Sum(i => (double)xs[n * c.HiddenSize + i] * w[e * c.HiddenSize + i])).ToArray();
            var top = logits.Select((l, e) => (l, e)).OrderByDescending(p => p.l).Take(c.NumExpertsPerTok).ToArray();
            var z = top.Sum(p => Math.Exp(p.l - top[0].l));
            for (int k = 0; k < c.NumExpertsPerTok; k++)
            {
                Assert.Equal(top[k].e, indices[n, k].item<long>());
                Assert.Equal(Math.Exp(top[k].l - top[0].l) / z, weights[n, k].item<float>(), 5);
            }
        }
    }

    [Fact]
    public void Moe_output_is_the_weighted_sum_of_clamped_swiglu_experts()
    {
        using var model = ModelLoader.Load(TinyCheckpoints.Get("gpt-oss"));
        var mlp = ((GptOssDecoderLayer)model.model.layers[1]).mlp;
        var c = (GptOssConfig)model.Config;
        using var _ = no_grad();
        var x = randn(3, c.HiddenSize, generator: new Generator(9)) * 3; // large enough to hit the clamps
        var actual = mlp.forward(x.unsqueeze(0))[0];
        var (indices, weights) = mlp.Route(x);
        var ex = mlp.experts;
        for (int n = 0; n < 3; n++)
        {
            var expected = zeros(c.HiddenSize);
            for (int k = 0; k < c.NumExpertsPerTok; k++)
            {
                var e = indices[n, k].item<long>();
                var gu = matmul(x[n], ex.gate_up_proj[e]) + ex.gate_up_proj_bias[e];
                var gate = gu[TensorIndex.Slice(0, null, 2)].clamp_max(7.0);
                var up = gu[TensorIndex.Slice(1, null, 2)].clamp(-7.0, 7.0);
                var act = gate * sigmoid(gate * 1.702) * (up + 1);
                expected += weights[n, k] * (matmul(act, ex.down_proj[e]) + ex.down_proj_bias[e]);
            }
            Assert.True(Tensors.MaxAbsDiff(expected, actual[n]) <= 1e-4);
        }
    }
}
