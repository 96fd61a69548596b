using Avocado.Models.Quantization;
using TorchSharp;
using static TorchSharp.torch;

namespace Avocado.Models.Gguf;

/// <summary>
/// gpt-oss → llama.cpp arch <c>gpt-oss</c> (<c>src/models/openai-moe.cpp</c>; converter <c>GptOssModel</c>).
/// Differs from Qwen3: biases on q/k/v/o, one attention-sink logit per head, a biased router, and experts stored
/// fused — HF's gate_up rows interleave gate (even) and up (odd) channels, which llama.cpp wants as two tensors.
/// MXFP4 experts are dequantized and written as floats (exact: every FP4 value times a power of two is a float).
/// </summary>
internal sealed class GptOssGguf : GgufFamily
{
    public override string Architecture => "gpt-oss";

    public override void AddMetadata(HfConfig c, GgufMetadata m)
    {
        // llama.cpp hard-codes the clamped SwiGLU (alpha 1.702, limit 7): refuse other limits rather than mis-export.
        if ((c.OptDouble("swiglu_limit") ?? 7.0) != 7.0)
        {
            throw c.Error("swiglu_limit", $"{c.Double("swiglu_limit")} is not supported: llama.cpp's gpt-oss hard-codes 7");
        }
        AddCommon(c, m, defaultHeadDim: 64, defaultRopeTheta: 150000, defaultEps: 1e-5);
        m.Arch("expert_count", GgufValue.U32((uint)c.Int("num_local_experts")));
        m.Arch("expert_used_count", GgufValue.U32((uint)c.Int("num_experts_per_tok")));
        m.Arch("expert_feed_forward_length", GgufValue.U32((uint)c.Int("intermediate_size")));
        m.Arch("attention.sliding_window", GgufValue.U32((uint)c.Int("sliding_window")));
        // HF alternates sliding (even layers) and full, as llama.cpp's default period of 2 does.
        m.Arch("attention.sliding_window_pattern", SlidingPattern(SlidingLayers(c, i => i % 2 == 0)));
        // YaRN on every layer, as in HF (llama.cpp gives sliding layers the full layers' frequency scale).
        AddRopeScaling(c, m, c.Object("rope_scaling") ?? c.Object("rope_parameters"), "yarn");
        AddSyntheticVocab(c, m);
    }

    public override IEnumerable<PlannedTensor> PlanTensors(HfConfig c, TensorSource s)
    {
        var hidden = c.Int("hidden_size");
        var ff = c.Int("intermediate_size");
        var heads = c.Int("num_attention_heads");
        var kvHeads = c.OptInt("num_key_value_heads") ?? heads;
        var headDim = c.OptInt("head_dim") ?? 64;
        var experts = c.Int("num_local_experts");
        var vocab = c.Int("vocab_size");

        yield return Copy(s, "token_embd.weight", "model.embed_tokens.weight", vocab, hidden);
        for (var i = 0; i < c.Int("num_hidden_layers"); i++)
        {
            var hf = $"model.layers.{i}.";
            var gg = $"blk.{i}.";
            yield return Copy(s, gg + "attn_norm.weight", hf + "input_layernorm.weight", hidden);
            foreach (var (name, proj, rows) in new[] { ("attn_q", "q_proj", heads * headDim), ("attn_k", "k_proj", kvHeads * headDim), ("attn_v", "v_proj", kvHeads * headDim) })
            {
                yield return Copy(s, $"{gg}{name}.weight", $"{hf}self_attn.{proj}.weight", rows, hidden);
                yield return Copy(s, $"{gg}{name}.bias", $"{hf}self_attn.{proj}.bias", rows);
            }
            yield return Copy(s, gg + "attn_output.weight", hf + "self_attn.o_proj.weight", hidden, heads * headDim);
            yield return Copy(s, gg + "attn_output.bias", hf + "self_attn.o_proj.bias", hidden);
            yield return Copy(s, gg + "attn_sinks.weight", hf + "self_attn.sinks", heads);
            // In gpt-oss post_attention_layernorm is the pre-MoE norm; llama.cpp's gpt-oss calls it post_attention_norm.
            yield return Copy(s, gg + "post_attention_norm.weight", hf + "post_attention_layernorm.weight", hidden);
            yield return Copy(s, gg + "ffn_gate_inp.weight", hf + "mlp.router.weight", experts, hidden);
            yield return Copy(s, gg + "ffn_gate_inp.bias", hf + "mlp.router.bias", experts);
            foreach (var t in Experts(s, hf + "mlp.experts.", gg, experts, hidden, ff))
            {
                yield return t;
            }
        }
        yield return Copy(s, "output_norm.weight", "model.norm.weight", hidden);
        // llama.cpp's gpt-oss requires output.weight, so a tied model writes the embeddings again.
        yield return Copy(s, "output.weight", OutputHead(c, s, tiedByDefault: false) ?? "model.embed_tokens.weight", vocab, hidden);
    }

    /// <summary>
    /// ffn_gate_exps / ffn_up_exps (E, I, hidden) and ffn_down_exps (E, hidden, I), i.e. (expert, out, in), plus
    /// their biases. Gate is every even row of HF's fused gate_up, up every odd row. Two HF layouts:
    /// MXFP4 <c>*_blocks</c> (E, out, in/32, 16) + <c>*_scales</c> (E, out, in/32), already (out, in); and the
    /// dequantized one, <c>gate_up_proj</c> (E, hidden, 2I) and <c>down_proj</c> (E, I, hidden), i.e. (in, out).
    /// </summary>
    private static IEnumerable<PlannedTensor> Experts(TensorSource s, string hf, string gg, int e, int hidden, int ff)
    {
        if (s.Has(hf + "gate_up_proj_blocks"))
        {
            s.Shape(hf + "gate_up_proj_blocks", e, 2 * ff, hidden / 32, 16);
            s.Shape(hf + "gate_up_proj_scales", e, 2 * ff, hidden / 32);
            s.Shape(hf + "down_proj_blocks", e, hidden, ff / 32, 16);
            s.Shape(hf + "down_proj_scales", e, hidden, ff / 32);
            yield return new(gg + "ffn_gate_exps.weight", [e, ff, hidden], () => Dequantize(s, hf + "gate_up_proj", 0));
            yield return new(gg + "ffn_up_exps.weight", [e, ff, hidden], () => Dequantize(s, hf + "gate_up_proj", 1));
            yield return new(gg + "ffn_down_exps.weight", [e, hidden, ff], () => Dequantize(s, hf + "down_proj", null));
        }
        else if (s.Has(hf + "gate_up_proj"))
        {
            s.Shape(hf + "gate_up_proj", e, hidden, 2 * ff);
            s.Shape(hf + "down_proj", e, ff, hidden);
            yield return new(gg + "ffn_gate_exps.weight", [e, ff, hidden], () => Rows(s.Read(hf + "gate_up_proj").transpose(1, 2), 0));
            yield return new(gg + "ffn_up_exps.weight", [e, ff, hidden], () => Rows(s.Read(hf + "gate_up_proj").transpose(1, 2), 1));
            yield return new(gg + "ffn_down_exps.weight", [e, hidden, ff], () => s.Read(hf + "down_proj").transpose(1, 2));
        }
        else
        {
            throw new GgufExportException($"{s.CheckpointDir}: neither '{hf}gate_up_proj_blocks' (MXFP4) nor '{hf}gate_up_proj' is in the checkpoint");
        }
        s.Shape(hf + "gate_up_proj_bias", e, 2 * ff);
        yield return new(gg + "ffn_gate_exps.bias", [e, ff], () => Rows(s.Read(hf + "gate_up_proj_bias"), 0));
        yield return new(gg + "ffn_up_exps.bias", [e, ff], () => Rows(s.Read(hf + "gate_up_proj_bias"), 1));
        yield return Copy(s, gg + "ffn_down_exps.bias", hf + "down_proj_bias", e, hidden);
    }

    /// <summary>Rows start, start+2, … of dim 1: the gate (0) or up (1) half of an interleaved gate_up tensor.</summary>
    private static Tensor Rows(Tensor t, long start) => t[TensorIndex.Colon, TensorIndex.Slice(start, null, 2)];

    /// <summary>Dequantizes <c>{name}_blocks/_scales</c>, only the interleaved half <paramref name="start"/> when given
    /// (halving the float32 temporary, which is 2 GB per layer for gpt-oss-20b's gate_up).</summary>
    private static Tensor Dequantize(TensorSource s, string name, long? start)
    {
        var blocks = s.ReadRaw(name + "_blocks");
        var scales = s.ReadRaw(name + "_scales");
        return start is { } half
            ? Mxfp4.Dequantize(Rows(blocks, half).contiguous(), Rows(scales, half).contiguous())
            : Mxfp4.Dequantize(blocks, scales);
    }
}
