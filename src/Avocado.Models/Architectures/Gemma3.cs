// Gemma 3 text decoder. Reference: transformers models/gemma3/modeling_gemma3.py (Gemma3ForCausalLM).
// Differs from Qwen3: (1+w) RMSNorm, sandwich norms (4 per layer), √hidden embedding scale, GeGLU (tanh),
// 5:1 sliding/full layers with separate RoPE bases, attention scale query_pre_attn_scalar^(−1/2).
using Avocado.Models.Config;
using Avocado.Models.Layers;
using Avocado.Models.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace Avocado.Models.Architectures;

public sealed class Gemma3DecoderLayer : DecoderLayer
{
    // differs from Qwen3: post_attention_layernorm is a true post-norm; the pre-MLP norm is pre_feedforward_layernorm.
    public readonly RmsNorm input_layernorm, post_attention_layernorm, pre_feedforward_layernorm, post_feedforward_layernorm;
    public readonly SelfAttention self_attn;
    public readonly GatedMlp mlp; // GeGLU (tanh)

    public Gemma3DecoderLayer(Gemma3Config c, TensorFactory f) : base("layer")
    {
        RmsNorm Norm() => new(c.HiddenSize, c.RmsNormEps, NormStyle.GemmaOnePlus, f);
        input_layernorm = Norm();
        post_attention_layernorm = Norm();
        pre_feedforward_layernorm = Norm();
        post_feedforward_layernorm = Norm();
        self_attn = new SelfAttention(new AttentionSpec(c.HiddenSize, c.NumAttentionHeads, c.NumKeyValueHeads, c.HeadDim,
            Bias: c.AttentionBias, QkNorm: NormStyle.GemmaOnePlus, Scale: 1 / Math.Sqrt(c.QueryPreAttnScalar),
            Sinks: false, Softcap: c.AttnLogitSoftcapping, NormEps: c.RmsNormEps), f);
        mlp = new GatedMlp(c.HiddenSize, c.IntermediateSize, x => x.gelu(TorchSharp.Modules.GELU.Approximate.tanh), f);
        RegisterComponents();
    }

    public override Tensor Forward(Tensor h, AttentionInputs a)
    {
        using var scope = NewDisposeScope();
        h = h.Add(post_attention_layernorm.forward(self_attn.Forward(input_layernorm.forward(h), a)));
        h = h.Add(post_feedforward_layernorm.forward(mlp.forward(pre_feedforward_layernorm.forward(h))));
        return h.MoveToOuterDisposeScope();
    }
}

public sealed class Gemma3Model : DecoderStack
{
    readonly Rope global, local;

    public Gemma3Model(Gemma3Config c, TensorFactory f)
        : base(c, Enumerable.Range(0, c.NumHiddenLayers).Select(_ => new Gemma3DecoderLayer(c, f)), NormStyle.GemmaOnePlus, f)
    {
        global = Rope.Create(c.RopeTheta, c.HeadDim, c.RopeScaling); // rope_scaling applies to full layers only
        local = Rope.Create(c.RopeLocalBaseFreq, c.HeadDim, null);
    }

    protected override Rope RopeFor(int layer) => config.IsSliding(layer) ? local : global;

    /// <summary>differs from Qwen3: embeddings scaled by √hidden, the factor rounded to the weight dtype as HF does.</summary>
    protected override Tensor Embed(Tensor ids)
    {
        using var scope = NewDisposeScope();
        var e = embed_tokens.forward(ids);
        var scale = tensor(Math.Sqrt(config.HiddenSize), dtype: ScalarType.Float32).to(e.dtype);
        return (e * scale).MoveToOuterDisposeScope();
    }
}

public sealed class Gemma3ForCausalLM(Gemma3Config c, TensorFactory f) : CausalLM(c, new Gemma3Model(c, f), f)
{
    protected override Tensor SoftcapLogits(Tensor logits) =>
        ((Gemma3Config)Config).FinalLogitSoftcapping is { } cap ? logits.Div(cap).tanh().Mul(cap) : logits;
}
