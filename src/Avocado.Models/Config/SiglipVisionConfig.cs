using System.Text.Json.Serialization;

namespace Avocado.Models.Config;

/// <summary>The SigLIP vision tower (transformers <c>SiglipVisionConfig</c>), as Gemma 3 nests it under <c>vision_config</c>.
/// Defaults are gemma-3-4b-it's (SigLIP-So400m at 896 px, patch 14).</summary>
public sealed record SiglipVisionConfig
{
    [JsonPropertyName("model_type")] public string ModelType { get; init; } = "siglip_vision_model";
    [JsonPropertyName("hidden_size")] public int HiddenSize { get; init; } = 1152;
    [JsonPropertyName("intermediate_size")] public int IntermediateSize { get; init; } = 4304;
    [JsonPropertyName("num_hidden_layers")] public int NumHiddenLayers { get; init; } = 27;
    [JsonPropertyName("num_attention_heads")] public int NumAttentionHeads { get; init; } = 16;
    [JsonPropertyName("num_channels")] public int NumChannels { get; init; } = 3;
    [JsonPropertyName("image_size")] public int ImageSize { get; init; } = 896;
    [JsonPropertyName("patch_size")] public int PatchSize { get; init; } = 14;
    [JsonPropertyName("hidden_act")] public string HiddenAct { get; init; } = "gelu_pytorch_tanh";
    [JsonPropertyName("layer_norm_eps")] public double LayerNormEps { get; init; } = 1e-6;
    [JsonPropertyName("attention_dropout")] public double AttentionDropout { get; init; }
    [JsonPropertyName("vision_use_head")] public bool VisionUseHead { get; init; }

    /// <summary>Patches per side of the (square) input image: 896 / 14 = 64.</summary>
    [JsonIgnore] public int PatchesPerSide => ImageSize / PatchSize;
    [JsonIgnore] public int HeadDim => HiddenSize / NumAttentionHeads;

    public void Validate(string source)
    {
        void Require(bool ok, string field, string what)
        {
            if (!ok) throw new ConfigException($"{source}: field 'vision_config.{field}' {what}");
        }
        Require(HiddenSize > 0, "hidden_size", "must be positive");
        Require(IntermediateSize > 0, "intermediate_size", "must be positive");
        Require(NumHiddenLayers > 0, "num_hidden_layers", "must be positive");
        Require(NumAttentionHeads > 0 && HiddenSize % NumAttentionHeads == 0, "num_attention_heads", $"must be positive and divide hidden_size ({HiddenSize})");
        Require(NumChannels == 3, "num_channels", $"is {NumChannels}; images are RGB (3)");
        Require(PatchSize > 0, "patch_size", "must be positive");
        Require(ImageSize > 0 && ImageSize % PatchSize == 0, "image_size", $"must be a positive multiple of patch_size ({PatchSize})");
        Require(HiddenAct == "gelu_pytorch_tanh", "hidden_act", $"is '{HiddenAct}'; SigLIP in Gemma 3 uses gelu_pytorch_tanh");
        Require(LayerNormEps > 0, "layer_norm_eps", "must be positive");
        Require(!VisionUseHead, "vision_use_head", "is true; Gemma 3 uses the patch features, not a pooling head");
    }
}

/// <summary>What makes a Gemma 3 checkpoint see: the SigLIP tower, the projector's token count and the image token ids
/// (transformers <c>Gemma3Config</c>'s fields beside <c>text_config</c>).</summary>
public sealed record Gemma3VisionSpec
{
    public required SiglipVisionConfig Vision { get; init; }
    /// <summary>Soft tokens per image after pooling: 256 (16 × 16) as published.</summary>
    public int MmTokensPerImage { get; init; } = 256;
    /// <summary><c>&lt;start_of_image&gt;</c>, <c>&lt;end_of_image&gt;</c>, <c>&lt;image_soft_token&gt;</c> as published.</summary>
    public int BoiTokenIndex { get; init; } = 255_999;
    public int EoiTokenIndex { get; init; } = 256_000;
    public int ImageTokenIndex { get; init; } = 262_144;

    [JsonIgnore] public int TokensPerSide => (int)Math.Round(Math.Sqrt(MmTokensPerImage));

    public void Validate(string source, int vocabSize)
    {
        Vision.Validate(source);
        int side = TokensPerSide;
        if (side * side != MmTokensPerImage || Vision.PatchesPerSide % side != 0)
            throw new ConfigException($"{source}: field 'mm_tokens_per_image' is {MmTokensPerImage}; it must be a square whose side divides " +
                $"the {Vision.PatchesPerSide}×{Vision.PatchesPerSide} patch grid (image_size / patch_size)");
        foreach (var (field, id) in new[] { ("boi_token_index", BoiTokenIndex), ("eoi_token_index", EoiTokenIndex), ("image_token_index", ImageTokenIndex) })
            if (id < 0 || id >= vocabSize)
                throw new ConfigException($"{source}: field '{field}' is {id}, outside the text vocabulary [0, {vocabSize})");
    }
}
