// Qwen3 dense decoder. Reference: transformers models/qwen3/modeling_qwen3.py.
// Pre-norm blocks, QK-norm before RoPE, grouped KV heads, SwiGLU MLP, tied or untied head.
using Avocado.Models.Config;
using Avocado.Models.Layers;
using Avocado.Models.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace Avocado.Models.Architectures;

public sealed class Qwen3DecoderLayer : DecoderLayer
{
    public readonly RmsNorm input_layernorm, post_attention_layernorm; // post_attention_layernorm is the pre-MLP norm
    public readonly SelfAttention self_attn;
    public readonly GatedMlp mlp; // SiLU

    public Qwen3DecoderLayer(Qwen3Config c, TensorFactory f) : base("layer")
    {
        input_layernorm = new RmsNorm(c.HiddenSize, c.RmsNormEps, NormStyle.Llama, f);
        self_attn = new SelfAttention(new AttentionSpec(c.HiddenSize, c.NumAttentionHeads, c.NumKeyValueHeads, c.HeadDim,
            Bias: c.AttentionBias, QkNorm: NormStyle.Llama, Scale: 1 / Math.Sqrt(c.HeadDim), Sinks: false,
            Softcap: null, NormEps: c.RmsNormEps), f);
        post_attention_layernorm = new RmsNorm(c.HiddenSize, c.RmsNormEps, NormStyle.Llama, f);
        mlp = new GatedMlp(c.HiddenSize, c.IntermediateSize, x => nn.functional.silu(x), f);
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

public sealed class Qwen3Model : DecoderStack
{
    readonly Rope rope;

    public Qwen3Model(Qwen3Config c, TensorFactory f)
        : base(c, Enumerable.Range(0, c.NumHiddenLayers).Select(_ => new Qwen3DecoderLayer(c, f)), NormStyle.Llama, f)
    {
        rope = Rope.Create(c.RopeTheta, c.HeadDim, c.RopeScaling);
    }

    protected override Rope RopeFor(int layer) => rope;
}

public sealed class Qwen3ForCausalLM(Qwen3Config c, TensorFactory f) : CausalLM(c, new Qwen3Model(c, f), f);
