// gpt-oss decoder. Reference: transformers models/gpt_oss/modeling_gpt_oss.py and openai/gpt-oss (torch/model.py).
// Differs from Qwen3: q/k/v/o biases, no QK-norm, attention sinks, alternating sliding/full layers, YaRN RoPE,
// a top-k softmax mixture of experts with a clamped SwiGLU, untied head, RMSNorm weight applied in fp32.
using Avocado.Models.Config;
using Avocado.Models.Layers;
using Avocado.Models.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace Avocado.Models.Architectures;

/// <summary>All experts' weights in the layout of HF's dequantized checkpoints: gate_up_proj (E, C, 2I) with gate and
/// up channels interleaved (gate = even columns), down_proj (E, I, C). MXFP4 checkpoints are dequantized into these.</summary>
public sealed class GptOssExperts : nn.Module
{
    public readonly Parameter gate_up_proj, gate_up_proj_bias, down_proj, down_proj_bias;
    const double Alpha = 1.702; // hard-coded in the reference, not in config.json
    readonly double limit;

    public GptOssExperts(GptOssConfig c, TensorFactory f) : base("experts")
    {
        int e = c.NumLocalExperts, hidden = c.HiddenSize, inter = c.IntermediateSize;
        gate_up_proj = f.Parameter(e, hidden, 2 * inter);
        gate_up_proj_bias = f.Parameter(e, 2 * inter);
        down_proj = f.Parameter(e, inter, hidden);
        down_proj_bias = f.Parameter(e, hidden);
        limit = c.SwigluLimit;
        RegisterComponents();
    }

    /// <summary>Expert <paramref name="e"/> on its tokens x (n, C) → (n, C).</summary>
    public Tensor Expert(int e, Tensor x)
    {
        using var scope = NewDisposeScope();
        var gateUp = addmm(gate_up_proj_bias[e], x, gate_up_proj[e], 1, 1);  // (n, 2I)
        var pairs = gateUp.view(x.shape[0], -1, 2);
        var gate = pairs.select(-1, 0).ClampMax(limit);
        var up = pairs.select(-1, 1).Clamp(-limit, limit);
        var activation = gate * sigmoid(gate.Mul(Alpha)) * up.Add(1);
        return addmm(down_proj_bias[e], activation, down_proj[e], 1, 1).MoveToOuterDisposeScope();
    }
}

/// <summary>Router picks the top-k experts by raw logit; their weights are a softmax over only those k.</summary>
public sealed class GptOssMLP : nn.Module<Tensor, Tensor>
{
    public readonly Linear router;
    public readonly GptOssExperts experts;
    readonly int topK;

    public GptOssMLP(GptOssConfig c, TensorFactory f) : base("mlp")
    {
        router = new Linear(c.HiddenSize, c.NumLocalExperts, true, f);
        experts = new GptOssExperts(c, f);
        topK = c.NumExpertsPerTok;
        RegisterComponents();
    }

    /// <summary>Expert indices (N, k) and their weights (N, k) for tokens x (N, C).</summary>
    public (Tensor Indices, Tensor Weights) Route(Tensor x)
    {
        using var scope = NewDisposeScope();
        var (values, indices) = router.forward(x).topk(topK, dim: -1);
        var weights = values.softmax(-1);
        return (indices.MoveToOuterDisposeScope(), weights.MoveToOuterDisposeScope());
    }

    public override Tensor forward(Tensor h)
    {
        using var scope = NewDisposeScope();
        var x = h.reshape(-1, h.shape[^1]); // (N, C)
        var (indices, weights) = Route(x);
        var output = zeros_like(x);
        // Run each expert once on the tokens routed to it.
        foreach (var e in indices.unique().output.data<long>().ToArray())
        {
            var hits = indices.Eq(e).nonzero();            // (n, 2): token, slot
            var tokens = hits.select(1, 0);
            var w = weights.index_select(0, tokens).gather(1, hits.select(1, 1).unsqueeze(1)); // (n, 1)
            output.index_add_(0, tokens, experts.Expert((int)e, x.index_select(0, tokens)) * w, ScalarOps.One);
        }
        return output.view(h.shape).MoveToOuterDisposeScope();
    }
}

public sealed class GptOssDecoderLayer : DecoderLayer
{
    public readonly RmsNorm input_layernorm, post_attention_layernorm; // post_attention_layernorm is the pre-MLP norm
    public readonly SelfAttention self_attn;
    public readonly GptOssMLP mlp;

    public GptOssDecoderLayer(GptOssConfig c, TensorFactory f) : base("layer")
    {
        input_layernorm = new RmsNorm(c.HiddenSize, c.RmsNormEps, NormStyle.WeightInFp32, f);
        self_attn = new SelfAttention(new AttentionSpec(c.HiddenSize, c.NumAttentionHeads, c.NumKeyValueHeads, c.HeadDim,
            Bias: c.AttentionBias, QkNorm: null, Scale: 1 / Math.Sqrt(c.HeadDim), Sinks: true, Softcap: null,
            NormEps: c.RmsNormEps), f);
        post_attention_layernorm = new RmsNorm(c.HiddenSize, c.RmsNormEps, NormStyle.WeightInFp32, f);
        mlp = new GptOssMLP(c, f);
        RegisterComponents();
    }

    public override Tensor Forward(Tensor h, AttentionInputs a)
    {
        using var scope = NewDisposeScope();
        h = h.Add(self_attn.Forward(input_layernorm.forward(h), a));
        h = h.Add(mlp.forward(post_attention_layernorm.forward(h)));
        return h.MoveToOuterDisposeScope();
    }
}

public sealed class GptOssModel : DecoderStack
{
    readonly Rope rope;

    public GptOssModel(GptOssConfig c, TensorFactory f)
        : base(c, Enumerable.Range(0, c.NumHiddenLayers).Select(_ => new GptOssDecoderLayer(c, f)), NormStyle.WeightInFp32, f)
    {
        rope = Rope.Create(c.RopeTheta, c.HeadDim, c.RopeScaling); // YaRN on every layer
    }

    protected override Rope RopeFor(int layer) => rope;
}

public sealed class GptOssForCausalLM(GptOssConfig c, TensorFactory f) : CausalLM(c, new GptOssModel(c, f), f);
