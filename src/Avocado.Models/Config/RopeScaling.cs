using System.Text.Json.Serialization;

namespace Avocado.Models.Config;

/// <summary>config.json's <c>rope_scaling</c>: "linear" (Gemma 3 4B+ full layers) or "yarn" (gpt-oss).</summary>
public sealed record RopeScaling
{
    [JsonPropertyName("rope_type")] public string RopeType { get; init; } = "default";
    [JsonPropertyName("factor")] public double Factor { get; init; } = 1;
    [JsonPropertyName("beta_fast")] public double BetaFast { get; init; } = 32;
    [JsonPropertyName("beta_slow")] public double BetaSlow { get; init; } = 1;
    [JsonPropertyName("original_max_position_embeddings")] public int? OriginalMaxPositionEmbeddings { get; init; }
    /// <summary>HF rounds YaRN's correction range to integers unless this is false (gpt-oss sets false).</summary>
    [JsonPropertyName("truncate")] public bool? Truncate { get; init; }
    [JsonPropertyName("attention_factor")] public double? AttentionFactor { get; init; }

    public void Validate(string source)
    {
        if (RopeType is not ("default" or "linear" or "yarn"))
            throw new ConfigException($"{source}: field 'rope_scaling.rope_type' is '{RopeType}'; supported: default, linear, yarn");
        if (Factor <= 0)
            throw new ConfigException($"{source}: field 'rope_scaling.factor' must be positive");
        if (RopeType == "yarn" && OriginalMaxPositionEmbeddings is null or <= 0)
            throw new ConfigException($"{source}: field 'rope_scaling.original_max_position_embeddings' is required for yarn");
    }
}
