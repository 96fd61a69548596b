namespace Avocado.Models.Gguf;
using Avocado.Models.Torch;

/// <summary>
/// Gemma 3 text decoder → llama.cpp arch <c>gemma3</c> (<c>src/models/gemma3.cpp</c>; converter <c>Gemma3Model</c>).
/// Differs from Qwen3: llama.cpp's RMSNorm is plain <c>w·x/rms</c>, so every norm weight gets +1 (HF's Gemma norm is
/// <c>(1 + w)·x/rms</c>); four norms per layer; the sliding/full layer pattern and the local RoPE base go in metadata.
/// llama.cpp scales embeddings by √hidden itself and has no setting for the attention scale (see AddMetadata).
/// </summary>
internal sealed class Gemma3Gguf : GgufFamily
{
    public override string Architecture => "gemma3";

    public override void AddMetadata(HfConfig c, GgufMetadata m)
    {
        var act = c.OptString("hidden_activation") ?? c.OptString("hidden_act") ?? "gelu_pytorch_tanh";
        if (act != "gelu_pytorch_tanh")
        {
            throw c.Error("hidden_activation", $"'{act}' is not supported: llama.cpp's gemma3 uses the tanh GELU");
        }
        if (c.Has("attn_logit_softcapping"))
        {
            throw c.Error("attn_logit_softcapping", "must be null: llama.cpp's gemma3 has no attention soft-capping");
        }
        CheckAttentionScale(c);

        AddCommon(c, m, defaultHeadDim: 256, defaultRopeTheta: 1e6, defaultEps: 1e-6);
        if (c.OptDouble("final_logit_softcapping") is { } cap)
        {
            m.Arch("final_logit_softcapping", GgufValue.F32((float)cap));
        }
        // Linear scaling (4B and up) applies to the full-attention layers only, as in HF: llama.cpp keeps the
        // sliding layers' scale at 1.
        AddRopeScaling(c, m, c.Object("rope_scaling") ?? c.Object("rope_parameters")?.Object("full_attention"), "linear");

        // HF: layer i is full attention iff (i + 1) % sliding_window_pattern == 0, unless layer_types says otherwise.
        var pattern = c.OptInt("sliding_window_pattern") ?? 6;
        var sliding = SlidingLayers(c, i => (i + 1) % pattern != 0);
        if (sliding.Any(x => x) && c.OptInt("sliding_window") is { } window)
        {
            m.Arch("attention.sliding_window", GgufValue.U32((uint)window));
            m.Arch("attention.sliding_window_pattern", SlidingPattern(sliding));
            m.Arch("rope.freq_base_swa", GgufValue.F32((float)LocalRopeTheta(c)));
        }
        AddSyntheticVocab(c, m);
    }

    public override IEnumerable<PlannedTensor> PlanTensors(HfConfig c, TensorSource s)
    {
        var hidden = c.Int("hidden_size");
        var ff = c.Int("intermediate_size");
        var heads = c.Int("num_attention_heads");
        var kvHeads = c.OptInt("num_key_value_heads") ?? heads;
        var headDim = c.OptInt("head_dim") ?? 256;
        var vocab = c.Int("vocab_size");

        // No √hidden here: llama.cpp multiplies the looked-up embeddings itself, and the tied head must stay unscaled.
        yield return Copy(s, "token_embd.weight", "model.embed_tokens.weight", vocab, hidden);
        for (var i = 0; i < c.Int("num_hidden_layers"); i++)
        {
            var hf = $"model.layers.{i}.";
            var gg = $"blk.{i}.";
            yield return Norm(s, gg + "attn_norm.weight", hf + "input_layernorm.weight", hidden);
            yield return Copy(s, gg + "attn_q.weight", hf + "self_attn.q_proj.weight", heads * headDim, hidden);
            yield return Copy(s, gg + "attn_k.weight", hf + "self_attn.k_proj.weight", kvHeads * headDim, hidden);
            yield return Copy(s, gg + "attn_v.weight", hf + "self_attn.v_proj.weight", kvHeads * headDim, hidden);
            yield return Copy(s, gg + "attn_output.weight", hf + "self_attn.o_proj.weight", hidden, heads * headDim);
            yield return Norm(s, gg + "attn_q_norm.weight", hf + "self_attn.q_norm.weight", headDim);
            yield return Norm(s, gg + "attn_k_norm.weight", hf + "self_attn.k_norm.weight", headDim);
            // Gemma's sandwich norms: post_attention_layernorm is a true post-norm; the pre-MLP norm is
            // pre_feedforward_layernorm (llama.cpp's ffn_norm).
            yield return Norm(s, gg + "post_attention_norm.weight", hf + "post_attention_layernorm.weight", hidden);
            yield return Norm(s, gg + "ffn_norm.weight", hf + "pre_feedforward_layernorm.weight", hidden);
            yield return Copy(s, gg + "ffn_gate.weight", hf + "mlp.gate_proj.weight", ff, hidden);
            yield return Copy(s, gg + "ffn_up.weight", hf + "mlp.up_proj.weight", ff, hidden);
            yield return Copy(s, gg + "ffn_down.weight", hf + "mlp.down_proj.weight", hidden, ff);
            yield return Norm(s, gg + "post_ffw_norm.weight", hf + "post_feedforward_layernorm.weight", hidden);
        }
        yield return Norm(s, "output_norm.weight", "model.norm.weight", hidden);
        if (OutputHead(c, s, tiedByDefault: true) is { } head)
        {
            yield return Copy(s, "output.weight", head, vocab, hidden);
        }
    }

    /// <summary>A Gemma norm weight as llama.cpp wants it: 1 + w. Added in float32 (the converter adds in the stored
    /// dtype, which rounds bf16 weights; HF computes 1 + w in float32, and so do we).</summary>
    private static PlannedTensor Norm(TensorSource s, string ggufName, string hfName, long size) =>
        new(ggufName, s.Shape(hfName, size), () => s.Read(hfName).Add(1));

    /// <summary>
    /// llama.cpp's gemma3 does not read query_pre_attn_scalar: it scales queries by 1/√head_dim, except for the
    /// 62-layer (27B) model, where it uses 1/√(hidden/heads). Any other value would silently give other logits.
    /// </summary>
    private static void CheckAttentionScale(HfConfig c)
    {
        var hidden = c.Int("hidden_size");
        var heads = c.Int("num_attention_heads");
        var headDim = c.OptInt("head_dim") ?? 256;
        var llamaCpp = c.Int("num_hidden_layers") == 62 ? hidden / heads : headDim;
        var scalar = c.OptDouble("query_pre_attn_scalar") ?? 256;
        if (scalar != llamaCpp)
        {
            throw c.Error("query_pre_attn_scalar", $"{scalar} is not supported: llama.cpp's gemma3 derives the attention " +
                                                   $"scale from {(llamaCpp == headDim ? "head_dim" : "hidden_size/num_attention_heads")} ({llamaCpp})");
        }
    }

    /// <summary>rope_local_base_freq, or (newer transformers) rope_parameters.sliding_attention.rope_theta; HF's default 10000.</summary>
    private static double LocalRopeTheta(HfConfig c) =>
        c.OptDouble("rope_local_base_freq")
        ?? c.Object("rope_parameters")?.Object("sliding_attention")?.OptDouble("rope_theta")
        ?? 10000;
}
