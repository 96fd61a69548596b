using TorchSharp;
using static TorchSharp.torch;

namespace Avocado.Models.Gguf;

/// <summary>One GGUF tensor to write: its llama.cpp name, its row-major shape (known before any data is read, since
/// the header comes first) and how to make it from the checkpoint.</summary>
/// <param name="Load">Reads and converts the data, float32, of exactly <paramref name="Shape"/>; called inside a
/// dispose scope, so temporaries need no disposing.</param>
internal sealed record PlannedTensor(string Name, long[] Shape, Func<Tensor> Load);

/// <summary>
/// What differs per family: llama.cpp's architecture name, the metadata keys its loader reads, and the tensor
/// mapping with the weight conventions of llama.cpp's <c>convert_hf_to_gguf.py</c>. Subclasses read top to bottom:
/// metadata, then tensors. Everything shared (the common keys, the synthetic vocabulary) lives here.
/// </summary>
internal abstract class GgufFamily
{
    /// <summary><c>general.architecture</c>, also the prefix of the architecture's own keys.</summary>
    public abstract string Architecture { get; }

    public abstract void AddMetadata(HfConfig c, GgufMetadata m);

    public abstract IEnumerable<PlannedTensor> PlanTensors(HfConfig c, TensorSource s);

    /// <summary>Exportable but not exactly: where llama.cpp will compute something slightly different from HF.</summary>
    public List<string> Warnings { get; } = [];

    public static GgufFamily For(HfConfig c) => c.ModelType switch
    {
        "qwen3" => new Qwen3Gguf(),
        "gemma3_text" or "gemma3" => new Gemma3Gguf(),
        "gpt_oss" => new GptOssGguf(),
        var t => throw c.Error("model_type", $"'{t}' cannot be exported to GGUF; supported: qwen3, gemma3_text " +
                                             "(or gemma3 with a text_config), gpt_oss"),
    };

    /// <summary>The keys every llama.cpp decoder loader reads (<c>llama_model_base::load_hparams</c>), with the
    /// config fields <c>convert_hf_to_gguf.py</c> takes them from.</summary>
    protected static void AddCommon(HfConfig c, GgufMetadata m, int defaultHeadDim, double defaultRopeTheta, double defaultEps)
    {
        m.Arch("context_length", GgufValue.U32(checked((uint)c.Int("max_position_embeddings"))));
        m.Arch("embedding_length", GgufValue.U32((uint)c.Int("hidden_size")));
        m.Arch("block_count", GgufValue.U32((uint)c.Int("num_hidden_layers")));
        m.Arch("feed_forward_length", GgufValue.U32((uint)c.Int("intermediate_size")));
        var heads = c.Int("num_attention_heads");
        m.Arch("attention.head_count", GgufValue.U32((uint)heads));
        m.Arch("attention.head_count_kv", GgufValue.U32((uint)(c.OptInt("num_key_value_heads") ?? heads)));
        // llama.cpp would otherwise take hidden/heads, which none of these families use.
        var headDim = c.OptInt("head_dim") ?? defaultHeadDim;
        m.Arch("attention.key_length", GgufValue.U32((uint)headDim));
        m.Arch("attention.value_length", GgufValue.U32((uint)headDim));
        m.Arch("rope.freq_base", GgufValue.F32((float)RopeTheta(c, defaultRopeTheta)));
        m.Arch("attention.layer_norm_rms_epsilon", GgufValue.F32((float)(c.OptDouble("rms_norm_eps") ?? defaultEps)));
    }

    /// <summary>rope_theta, or (newer transformers) rope_parameters.rope_theta, or its full_attention entry.</summary>
    protected static double RopeTheta(HfConfig c, double fallback)
    {
        var p = c.Object("rope_parameters");
        return c.OptDouble("rope_theta") ?? p?.OptDouble("rope_theta") ?? p?.Object("full_attention")?.OptDouble("rope_theta") ?? fallback;
    }

    /// <summary>
    /// HF's <c>rope_scaling</c> (or a <c>rope_parameters</c> entry) as llama.cpp's <c>rope.scaling.*</c> keys. Linear
    /// divides the frequencies by the factor in both. For YaRN llama.cpp reads only the type, factor and original
    /// context: it hard-codes beta_fast 32 / beta_slow 1 and the attention factor 0.1·ln(factor) + 1, refused here when
    /// the config says otherwise; and it always rounds the correction range outwards (floor/ceil, HF's
    /// <c>truncate: true</c>), so a <c>truncate: false</c> config (gpt-oss ships one) exports with a warning.
    /// </summary>
    protected void AddRopeScaling(HfConfig c, GgufMetadata m, HfConfig? s, params string[] supported)
    {
        var type = s?.OptString("rope_type") ?? s?.OptString("type");
        if (s is null || type is null or "default")
        {
            return;
        }
        if (!supported.Contains(type))
        {
            throw c.Error("rope_scaling", $"rope_type '{type}' is not supported for {Architecture} (supported: {string.Join(", ", supported)})");
        }
        var factor = s.Double("factor");
        m.Arch("rope.scaling.type", GgufValue.String(type));
        m.Arch("rope.scaling.factor", GgufValue.F32((float)factor));
        if (type != "yarn")
        {
            return;
        }
        if ((s.OptDouble("beta_fast") ?? 32) != 32 || (s.OptDouble("beta_slow") ?? 1) != 1)
        {
            throw c.Error("rope_scaling", "beta_fast/beta_slow other than 32/1 are not supported: llama.cpp hard-codes them");
        }
        if (s.OptDouble("attention_factor") is { } af && Math.Abs(af - (0.1 * Math.Log(factor) + 1)) > 1e-6)
        {
            throw c.Error("rope_scaling", $"attention_factor {af} is not supported: llama.cpp uses 0.1·ln(factor) + 1");
        }
        if (s.OptBool("truncate") == false)
        {
            Warnings.Add($"{c.Source}: rope_scaling.truncate is false but llama.cpp always truncates the YaRN correction range, " +
                         "so its RoPE frequencies differ slightly from transformers' (see docs/GGUF.md)");
        }
        m.Arch("rope.scaling.original_context_length", GgufValue.U32((uint)s.Int("original_max_position_embeddings")));
        // Not read by llama.cpp (see above); written as convert_hf_to_gguf.py does, so the file states its assumptions.
        m.Arch("rope.scaling.yarn_beta_fast", GgufValue.F32(32));
        m.Arch("rope.scaling.yarn_beta_slow", GgufValue.F32(1));
    }

    /// <summary>A tensor taken as it is (in float32).</summary>
    protected static PlannedTensor Copy(TensorSource s, string ggufName, string hfName, params long[] shape) =>
        new(ggufName, s.Shape(hfName, shape), () => s.Read(hfName));

    /// <summary>The HF tensor to write as <c>output.weight</c>, or null when tied: llama.cpp then reuses
    /// <c>token_embd</c>, as transformers does (a stored lm_head of a tied model is ignored by both).</summary>
    protected static string? OutputHead(HfConfig c, TensorSource s, bool tiedByDefault)
    {
        if (c.OptBool("tie_word_embeddings") ?? tiedByDefault)
        {
            if (s.Has("lm_head.weight"))
            {
                s.Shape("lm_head.weight"); // known and deliberately unused
            }
            return null;
        }
        if (!s.Has("lm_head.weight"))
        {
            throw new GgufExportException($"{s.CheckpointDir}: tie_word_embeddings is false but the checkpoint has no lm_head.weight");
        }
        return "lm_head.weight";
    }

    /// <summary>The attention type of each layer: <c>layer_types</c> when given, else <paramref name="isSliding"/>.</summary>
    protected static bool[] SlidingLayers(HfConfig c, Func<int, bool> isSliding)
    {
        var n = c.Int("num_hidden_layers");
        if (c.OptStrings("layer_types") is not { } types)
        {
            return [.. Enumerable.Range(0, n).Select(isSliding)];
        }
        if (types.Length != n)
        {
            throw c.Error("layer_types", $"has {types.Length} entries for {n} layers");
        }
        return [.. types.Select(t => t switch
        {
            "sliding_attention" => true,
            "full_attention" => false,
            _ => throw c.Error("layer_types", $"unknown layer type '{t}' (expected sliding_attention or full_attention)"),
        })];
    }

    /// <summary>
    /// <c>attention.sliding_window_pattern</c>: the period n that llama.cpp's loaders take (layer i slides iff
    /// i % n &lt; n − 1; 0 means every layer slides) when the layers follow one, as HF's defaults do; else one flag per
    /// layer, which only newer llama.cpp reads (node-llama-cpp 3.21's ignores it and falls back to the default period).
    /// </summary>
    protected GgufValue SlidingPattern(bool[] sliding)
    {
        for (var n = 0; n <= sliding.Length; n++)
        {
            if (sliding.Select((s, i) => s == (n == 0 || i % n < n - 1)).All(same => same))
            {
                return GgufValue.U32((uint)n);
            }
        }
        Warnings.Add($"layer_types [{string.Join(", ", sliding.Select(s => s ? "sliding" : "full"))}] has no period: written as " +
                     "per-layer flags, which llama.cpp builds older than node-llama-cpp 3.22's ignore");
        return GgufValue.Array(sliding);
    }

    /// <summary>
    /// A stand-in vocabulary of <c>vocab_size</c> tokens, enough for llama.cpp to load the model and evaluate token
    /// ids (the parity tests' use). llama.cpp does accept <c>no_vocab</c>, but node-llama-cpp tokenizes text while
    /// loading and that aborts the process without a tokenizer. A BPE ("gpt2") vocabulary needs the merges key,
    /// and GGUF tooling rejects empty arrays, so one placeholder merge is written. Real tokenizers are a follow-up.
    /// </summary>
    protected static void AddSyntheticVocab(HfConfig c, GgufMetadata m)
    {
        var vocab = c.Int("vocab_size");
        m.Add("tokenizer.ggml.model", GgufValue.String("gpt2"));
        m.Add("tokenizer.ggml.pre", GgufValue.String("default"));
        m.Add("tokenizer.ggml.tokens", GgufValue.Array(Enumerable.Range(0, vocab).Select(SyntheticToken).ToArray()));
        m.Add("tokenizer.ggml.token_type", GgufValue.Array(Enumerable.Repeat(1, vocab).ToArray())); // 1 = normal
        m.Add("tokenizer.ggml.merges", GgufValue.Array(new[] { $"{SyntheticToken(0)} {SyntheticToken(1)}" }));
        // Without these llama.cpp's BPE defaults (11) would stand; they only matter to text generation, not logits.
        if (c.OptInts("bos_token_id") is [var bos, ..] && bos < vocab)
        {
            m.Add("tokenizer.ggml.bos_token_id", GgufValue.U32((uint)bos));
        }
        if (c.OptInts("eos_token_id") is [var eos, ..] && eos < vocab)
        {
            m.Add("tokenizer.ggml.eos_token_id", GgufValue.U32((uint)eos));
        }
        m.Add("tokenizer.ggml.add_bos_token", GgufValue.Bool(false));
    }

    public static string SyntheticToken(int id) => $"<|avocado_{id}|>";
}

/// <summary>Ordered GGUF metadata; <see cref="Arch"/> prefixes keys with the architecture name.</summary>
internal sealed class GgufMetadata(string architecture)
{
    public List<KeyValuePair<string, GgufValue>> Items { get; } = [];

    public void Add(string key, GgufValue value) => Items.Add(new(key, value));

    public void Arch(string key, GgufValue value) => Add($"{architecture}.{key}", value);
}
