namespace Avocado.Models.Gguf;

/// <summary>
/// Qwen3 (dense) → llama.cpp arch <c>qwen3</c> (<c>src/models/qwen3.cpp</c>; converter <c>Qwen3Model</c>).
/// Tensors map one to one with no change: llama.cpp's qwen3 uses NeoX RoPE, so Q/K need no permutation, its
/// RMSNorm is <c>w·x/rms</c> like HF's, and the attention scale is 1/√head_dim as in HF.
/// </summary>
internal sealed class Qwen3Gguf : GgufFamily
{
    public override string Architecture => "qwen3";

    public override void AddMetadata(HfConfig c, GgufMetadata m)
    {
        // llama.cpp's qwen3 graph has neither attention biases nor a sliding window: refuse rather than drop them.
        if (c.OptBool("attention_bias") == true)
        {
            throw c.Error("attention_bias", "true is not supported: llama.cpp's qwen3 has no attention biases");
        }
        if (c.OptBool("use_sliding_window") == true)
        {
            throw c.Error("use_sliding_window", "true is not supported: llama.cpp's qwen3 has no sliding window");
        }
        AddCommon(c, m, defaultHeadDim: c.Int("hidden_size") / c.Int("num_attention_heads"), defaultRopeTheta: 10000, defaultEps: 1e-6);
        AddRopeScaling(c, m, c.Object("rope_scaling") ?? c.Object("rope_parameters"), "linear", "yarn");
        AddSyntheticVocab(c, m);
    }

    public override IEnumerable<PlannedTensor> PlanTensors(HfConfig c, TensorSource s)
    {
        var hidden = c.Int("hidden_size");
        var ff = c.Int("intermediate_size");
        var heads = c.Int("num_attention_heads");
        var kvHeads = c.OptInt("num_key_value_heads") ?? heads;
        var headDim = c.OptInt("head_dim") ?? hidden / heads;
        var vocab = c.Int("vocab_size");

        yield return Copy(s, "token_embd.weight", "model.embed_tokens.weight", vocab, hidden);
        for (var i = 0; i < c.Int("num_hidden_layers"); i++)
        {
            var hf = $"model.layers.{i}.";
            var gg = $"blk.{i}.";
            yield return Copy(s, gg + "attn_norm.weight", hf + "input_layernorm.weight", hidden);
            yield return Copy(s, gg + "attn_q.weight", hf + "self_attn.q_proj.weight", heads * headDim, hidden);
            yield return Copy(s, gg + "attn_k.weight", hf + "self_attn.k_proj.weight", kvHeads * headDim, hidden);
            yield return Copy(s, gg + "attn_v.weight", hf + "self_attn.v_proj.weight", kvHeads * headDim, hidden);
            yield return Copy(s, gg + "attn_output.weight", hf + "self_attn.o_proj.weight", hidden, heads * headDim);
            yield return Copy(s, gg + "attn_q_norm.weight", hf + "self_attn.q_norm.weight", headDim);
            yield return Copy(s, gg + "attn_k_norm.weight", hf + "self_attn.k_norm.weight", headDim);
            // In Qwen3 post_attention_layernorm is the pre-MLP norm.
            yield return Copy(s, gg + "ffn_norm.weight", hf + "post_attention_layernorm.weight", hidden);
            yield return Copy(s, gg + "ffn_gate.weight", hf + "mlp.gate_proj.weight", ff, hidden);
            yield return Copy(s, gg + "ffn_up.weight", hf + "mlp.up_proj.weight", ff, hidden);
            yield return Copy(s, gg + "ffn_down.weight", hf + "mlp.down_proj.weight", hidden, ff);
        }
        yield return Copy(s, "output_norm.weight", "model.norm.weight", hidden);
        if (OutputHead(c, s, tiedByDefault: false) is { } head)
        {
            yield return Copy(s, "output.weight", head, vocab, hidden);
        }
    }
}
