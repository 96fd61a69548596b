using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Avocado.Models.Config;

/// <summary>The Qwen3-VL vision tower (transformers <c>Qwen3VLVisionConfig</c>, the <c>vision_config</c> object of a
/// Qwen3-VL config.json). Property defaults are transformers' defaults; the published checkpoints override several.</summary>
public sealed record Qwen3VLVisionConfig
{
    [JsonPropertyName("depth")] public int Depth { get; init; } = 27;
    [JsonPropertyName("hidden_size")] public int HiddenSize { get; init; } = 1152;
    [JsonPropertyName("hidden_act")] public string HiddenAct { get; init; } = "gelu_pytorch_tanh";
    [JsonPropertyName("intermediate_size")] public int IntermediateSize { get; init; } = 4304;
    [JsonPropertyName("num_heads")] public int NumHeads { get; init; } = 16;
    [JsonPropertyName("in_channels")] public int InChannels { get; init; } = 3;
    [JsonPropertyName("patch_size")] public int PatchSize { get; init; } = 16;
    [JsonPropertyName("spatial_merge_size")] public int SpatialMergeSize { get; init; } = 2;
    [JsonPropertyName("temporal_patch_size")] public int TemporalPatchSize { get; init; } = 2;
    /// <summary>Width of the merged tokens: the language model's hidden size.</summary>
    [JsonPropertyName("out_hidden_size")] public int OutHiddenSize { get; init; } = 3584;
    /// <summary>Rows of the learned position table, a square grid (48² = 2304 in every published model).</summary>
    [JsonPropertyName("num_position_embeddings")] public int NumPositionEmbeddings { get; init; } = 2304;
    /// <summary>Blocks (0-based) whose output also feeds a DeepStack merger.</summary>
    [JsonPropertyName("deepstack_visual_indexes")] public int[] DeepstackVisualIndexes { get; init; } = [8, 16, 24];
    [JsonPropertyName("initializer_range")] public double InitializerRange { get; init; } = 0.02;

    [JsonIgnore] public int HeadDim => HiddenSize / NumHeads;
    /// <summary>Side of the square position grid: √num_position_embeddings.</summary>
    [JsonIgnore] public int PositionGridSide => (int)Math.Round(Math.Sqrt(NumPositionEmbeddings));
    /// <summary>Width of one flattened patch: C·T·p·p.</summary>
    [JsonIgnore] public int PatchInputSize => InChannels * TemporalPatchSize * PatchSize * PatchSize;
    /// <summary>Width of one 2×2 group of patch features, the mergers' input.</summary>
    [JsonIgnore] public int MergedInputSize => HiddenSize * SpatialMergeSize * SpatialMergeSize;

    /// <summary>Qwen3-VL-2B-Instruct's vision_config (24 blocks of 1024, into a 2048-wide decoder).</summary>
    public static Qwen3VLVisionConfig Qwen3VL2B => new()
    {
        Depth = 24, HiddenSize = 1024, IntermediateSize = 4096, NumHeads = 16, OutHiddenSize = 2048,
        DeepstackVisualIndexes = [5, 11, 17],
    };

    /// <summary>Qwen3-VL-4B-Instruct: the 2B tower into a 2560-wide decoder.</summary>
    public static Qwen3VLVisionConfig Qwen3VL4B => Qwen3VL2B with { OutHiddenSize = 2560 };

    /// <summary>Qwen3-VL-8B-Instruct: 27 blocks of 1152 (the transformers defaults) into a 4096-wide decoder.</summary>
    public static Qwen3VLVisionConfig Qwen3VL8B => new() { OutHiddenSize = 4096 };

    /// <summary>For tests: every mechanism of the published tower (two heads, a 4×4 position table that must be
    /// interpolated, DeepStack after the first block and after the last, beside the final merger) at a size that runs
    /// in milliseconds.</summary>
    public static Qwen3VLVisionConfig Tiny => new()
    {
        Depth = 3, HiddenSize = 32, IntermediateSize = 64, NumHeads = 2, PatchSize = 4, OutHiddenSize = 48,
        NumPositionEmbeddings = 16, DeepstackVisualIndexes = [0, 2],
    };

    /// <summary>Reads a Qwen3-VL config.json (its <c>vision_config</c>) or a bare vision_config object, and validates it.</summary>
    public static Qwen3VLVisionConfig Parse(string json, string source = "config.json")
    {
        JsonObject root;
        try { root = JsonNode.Parse(json) as JsonObject ?? throw new ConfigException($"{source}: expected a JSON object"); }
        catch (JsonException e) { throw new ConfigException($"{source}: invalid JSON: {e.Message}"); }
        var vision = root["vision_config"] as JsonObject ?? root;
        var where = ReferenceEquals(vision, root) ? source : source + " vision_config";
        Qwen3VLVisionConfig config;
        try { config = vision.Deserialize<Qwen3VLVisionConfig>() ?? throw new ConfigException($"{where}: empty config"); }
        catch (JsonException e) { throw new ConfigException($"{where}: field '{e.Path?.TrimStart('$', '.')}' has the wrong type: {e.Message}"); }
        config.Validate(where);
        return config;
    }

    /// <summary>Throws <see cref="ConfigException"/> naming the first field that cannot describe a working tower.</summary>
    public void Validate(string source)
    {
        Require(source, Depth > 0, "depth", "must be positive");
        Require(source, HiddenSize > 0, "hidden_size", "must be positive");
        Require(source, HiddenAct == "gelu_pytorch_tanh", "hidden_act", $"is '{HiddenAct}'; the Qwen3-VL tower uses gelu_pytorch_tanh");
        Require(source, IntermediateSize > 0, "intermediate_size", "must be positive");
        Require(source, NumHeads > 0 && HiddenSize % NumHeads == 0, "num_heads", $"must be positive and divide hidden_size ({HiddenSize})");
        // Half of each head rotates by the patch row, half by its column, each in pairs.
        Require(source, HeadDim % 4 == 0, "num_heads", $"gives head_dim {HeadDim}; the 2-D rotary embedding needs a multiple of 4");
        Require(source, InChannels > 0, "in_channels", "must be positive");
        Require(source, PatchSize > 0, "patch_size", "must be positive");
        Require(source, SpatialMergeSize > 0, "spatial_merge_size", "must be positive");
        Require(source, TemporalPatchSize > 0, "temporal_patch_size", "must be positive");
        Require(source, OutHiddenSize > 0, "out_hidden_size", "must be positive");
        Require(source, NumPositionEmbeddings > 0 && PositionGridSide * PositionGridSide == NumPositionEmbeddings,
            "num_position_embeddings", $"is {NumPositionEmbeddings}; it must be a perfect square (the table is a square grid)");
        Require(source, DeepstackVisualIndexes is not null, "deepstack_visual_indexes", "must be a list (empty for none)");
        foreach (var i in DeepstackVisualIndexes!)
            Require(source, i >= 0 && i < Depth, "deepstack_visual_indexes", $"holds {i}, outside the blocks 0..{Depth - 1}");
        Require(source, DeepstackVisualIndexes.Distinct().Count() == DeepstackVisualIndexes.Length, "deepstack_visual_indexes", "repeats a block");
    }

    static void Require(string source, bool ok, string field, string what)
    {
        if (!ok) throw new ConfigException($"{source}: field '{field}' {what}");
    }
}
