using System.Text.Json.Serialization;

namespace Avocado.Models.Config;

/// <summary>The fields every supported decoder shares, named as in Hugging Face config.json files.</summary>
/// <remarks>Immutable: derived values are computed from the fields, never stored separately.</remarks>
public abstract record ModelConfig
{
    [JsonPropertyName("architectures")] public string[] Architectures { get; init; } = [];
    [JsonPropertyName("model_type")] public string ModelType { get; init; } = "";
    [JsonPropertyName("vocab_size")] public int VocabSize { get; init; }
    [JsonPropertyName("hidden_size")] public int HiddenSize { get; init; }
    [JsonPropertyName("intermediate_size")] public int IntermediateSize { get; init; }
    [JsonPropertyName("num_hidden_layers")] public int NumHiddenLayers { get; init; }
    [JsonPropertyName("num_attention_heads")] public int NumAttentionHeads { get; init; }
    [JsonPropertyName("num_key_value_heads")] public int NumKeyValueHeads { get; init; }
    /// <summary>Never derive this from hidden/heads: no supported family satisfies that identity.</summary>
    [JsonPropertyName("head_dim")] public int HeadDim { get; init; }
    [JsonPropertyName("rms_norm_eps")] public double RmsNormEps { get; init; } = 1e-6;
    [JsonPropertyName("rope_theta")] public double RopeTheta { get; init; } = 10000;
    [JsonPropertyName("rope_scaling")] public RopeScaling? RopeScaling { get; init; }
    [JsonPropertyName("max_position_embeddings")] public int MaxPositionEmbeddings { get; init; }
    [JsonPropertyName("tie_word_embeddings")] public bool TieWordEmbeddings { get; init; }
    [JsonPropertyName("attention_bias")] public bool AttentionBias { get; init; }
    [JsonPropertyName("torch_dtype")] public string? TorchDtype { get; init; }
    [JsonPropertyName("bos_token_id"), JsonConverter(typeof(IntOrArrayConverter))] public int[]? BosTokenId { get; init; }
    [JsonPropertyName("eos_token_id"), JsonConverter(typeof(IntOrArrayConverter))] public int[]? EosTokenId { get; init; }
    [JsonPropertyName("pad_token_id")] public int? PadTokenId { get; init; }

    /// <summary>"qwen3", "gemma3" or "gpt-oss": the name users and the CLI use.</summary>
    [JsonIgnore] public abstract string Family { get; }

    /// <summary>"full_attention" or "sliding_attention" for each layer.</summary>
    [JsonIgnore] public abstract IReadOnlyList<string> EffectiveLayerTypes { get; }

    /// <summary>Key/value window of sliding layers (0 when the family has none).</summary>
    [JsonIgnore] public virtual int SlidingWindowSize => 0;

    public bool IsSliding(int layer) => EffectiveLayerTypes[layer] == LayerTypes.Sliding;

    /// <summary>Throws <see cref="ConfigException"/> naming the first field that cannot describe a working model.</summary>
    public virtual void Validate(string source)
    {
        Require(source, VocabSize > 0, "vocab_size", "must be positive");
        Require(source, HiddenSize > 0, "hidden_size", "must be positive");
        Require(source, IntermediateSize > 0, "intermediate_size", "must be positive");
        Require(source, NumHiddenLayers > 0, "num_hidden_layers", "must be positive");
        Require(source, NumAttentionHeads > 0, "num_attention_heads", "must be positive");
        Require(source, NumKeyValueHeads > 0 && NumAttentionHeads % NumKeyValueHeads == 0, "num_key_value_heads",
            $"must be positive and divide num_attention_heads ({NumAttentionHeads})");
        Require(source, HeadDim > 0 && HeadDim % 2 == 0, "head_dim", "must be a positive even number (RoPE rotates pairs)");
        Require(source, RmsNormEps > 0, "rms_norm_eps", "must be positive");
        Require(source, RopeTheta > 1, "rope_theta", "must be greater than 1");
        Require(source, EffectiveLayerTypes.Count == NumHiddenLayers, "layer_types",
            $"has {EffectiveLayerTypes.Count} entries but num_hidden_layers is {NumHiddenLayers}");
        foreach (var t in EffectiveLayerTypes)
            Require(source, t is LayerTypes.Full or LayerTypes.Sliding, "layer_types", $"unknown layer type '{t}'");
        RopeScaling?.Validate(source);
    }

    protected static void Require(string source, bool ok, string field, string what)
    {
        if (!ok) throw new ConfigException($"{source}: field '{field}' {what}");
    }
}

public static class LayerTypes
{
    public const string Full = "full_attention";
    public const string Sliding = "sliding_attention";
}

public sealed class ConfigException(string message) : Exception(message);
