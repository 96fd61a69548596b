using System.Text.Json.Serialization;

namespace Avocado.Models.Config;

/// <summary>Gemma 3 text decoder (transformers <c>Gemma3TextConfig</c>, model_type gemma3_text).</summary>
public sealed record Gemma3Config : ModelConfig
{
    /// <summary>transformers' defaults where they differ from the base: published configs omit tie_word_embeddings.</summary>
    public Gemma3Config()
    {
        TieWordEmbeddings = true;
        RopeTheta = 1_000_000;
    }

    [JsonPropertyName("query_pre_attn_scalar")] public double QueryPreAttnScalar { get; init; } = 256;
    [JsonPropertyName("sliding_window")] public int SlidingWindow { get; init; } = 4096;
    [JsonPropertyName("rope_local_base_freq")] public double RopeLocalBaseFreq { get; init; } = 10000;
    [JsonPropertyName("sliding_window_pattern")] public int SlidingWindowPattern { get; init; } = 6;
    [JsonPropertyName("layer_types")] public string[]? LayerTypesList { get; init; }
    [JsonPropertyName("hidden_activation")] public string HiddenActivation { get; init; } = "gelu_pytorch_tanh";
    [JsonPropertyName("final_logit_softcapping")] public double? FinalLogitSoftcapping { get; init; }
    [JsonPropertyName("attn_logit_softcapping")] public double? AttnLogitSoftcapping { get; init; }

    /// <summary>Set when the checkpoint sees (<c>Gemma3ForConditionalGeneration</c>: config.json nests this record under
    /// <c>text_config</c> beside <c>vision_config</c>); null for the text-only decoder.</summary>
    [JsonIgnore] public Gemma3VisionSpec? Vision { get; init; }

    [JsonIgnore] public override string Family => "gemma3";

    [JsonIgnore] public override int SlidingWindowSize => SlidingWindow;

    /// <summary>Explicit <c>layer_types</c> win; otherwise every <c>sliding_window_pattern</c>-th layer is full.</summary>
    [JsonIgnore] public override IReadOnlyList<string> EffectiveLayerTypes => LayerTypesList ??
        Enumerable.Range(0, NumHiddenLayers)
            .Select(i => (i + 1) % SlidingWindowPattern == 0 ? LayerTypes.Full : LayerTypes.Sliding).ToArray();

    public override void Validate(string source)
    {
        base.Validate(source);
        Require(source, QueryPreAttnScalar > 0, "query_pre_attn_scalar", "must be positive");
        Require(source, SlidingWindow > 0, "sliding_window", "must be positive");
        Require(source, SlidingWindowPattern > 0, "sliding_window_pattern", "must be positive");
        Require(source, HiddenActivation == "gelu_pytorch_tanh", "hidden_activation",
            $"is '{HiddenActivation}'; Gemma 3 uses gelu_pytorch_tanh");
        Vision?.Validate(source, VocabSize);
    }
}
