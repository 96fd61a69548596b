using System.Text.Json.Serialization;

namespace Avocado.Models.Config;

/// <summary>Qwen3 dense (transformers <c>Qwen3Config</c>): every layer uses full attention.</summary>
public sealed record Qwen3Config : ModelConfig
{
    [JsonPropertyName("hidden_act")] public string HiddenAct { get; init; } = "silu";
    [JsonPropertyName("use_sliding_window")] public bool UseSlidingWindow { get; init; }

    [JsonIgnore] public override string Family => "qwen3";

    [JsonIgnore] public override IReadOnlyList<string> EffectiveLayerTypes =>
        Enumerable.Repeat(LayerTypes.Full, NumHiddenLayers).ToArray();

    public override void Validate(string source)
    {
        base.Validate(source);
        Require(source, HiddenAct == "silu", "hidden_act", $"is '{HiddenAct}'; Qwen3 uses silu");
        Require(source, !UseSlidingWindow, "use_sliding_window", "is true; no published Qwen3 dense model uses it and it is not supported");
    }
}
