using System.Text.Json;
using System.Text.Json.Serialization;

namespace Avocado.Models.Config;

/// <summary>gpt-oss (transformers <c>GptOssConfig</c>): MoE with attention sinks and YaRN RoPE.</summary>
public sealed record GptOssConfig : ModelConfig
{
    [JsonPropertyName("num_local_experts")] public int NumLocalExperts { get; init; }
    [JsonPropertyName("num_experts_per_tok")] public int NumExpertsPerTok { get; init; } = 4;
    [JsonPropertyName("sliding_window")] public int SlidingWindow { get; init; } = 128;
    [JsonPropertyName("layer_types")] public string[]? LayerTypesList { get; init; }
    [JsonPropertyName("swiglu_limit")] public double SwigluLimit { get; init; } = 7.0;
    /// <summary>Present (quant_method mxfp4) when expert weights are stored as MXFP4 blocks and scales.</summary>
    [JsonPropertyName("quantization_config")] public JsonElement? QuantizationConfig { get; init; }

    [JsonIgnore] public override string Family => "gpt-oss";

    [JsonIgnore] public override int SlidingWindowSize => SlidingWindow;

    /// <summary>Published checkpoints alternate sliding (even layers) and full attention.</summary>
    [JsonIgnore] public override IReadOnlyList<string> EffectiveLayerTypes => LayerTypesList ??
        Enumerable.Range(0, NumHiddenLayers).Select(i => i % 2 == 0 ? LayerTypes.Sliding : LayerTypes.Full).ToArray();

    [JsonIgnore]
    public bool ExpertsAreMxfp4 => QuantizationConfig is { ValueKind: JsonValueKind.Object } q
        && q.TryGetProperty("quant_method", out var m) && m.GetString() == "mxfp4";

    public override void Validate(string source)
    {
        base.Validate(source);
        Require(source, NumLocalExperts > 0, "num_local_experts", "must be positive");
        Require(source, NumExpertsPerTok > 0 && NumExpertsPerTok <= NumLocalExperts, "num_experts_per_tok",
            $"must be between 1 and num_local_experts ({NumLocalExperts})");
        Require(source, SlidingWindow > 0, "sliding_window", "must be positive");
        Require(source, SwigluLimit > 0, "swiglu_limit", "must be positive");
        if (ExpertsAreMxfp4)
            Require(source, HiddenSize % 32 == 0 && IntermediateSize % 32 == 0, "quantization_config",
                "is mxfp4, which needs hidden_size and intermediate_size divisible by 32");
    }
}
