using System.Text.Json;
using System.Text.Json.Nodes;

namespace Avocado.Models.Config;

/// <summary>Reads and writes config.json, dispatching on <c>model_type</c>.</summary>
public static class ConfigLoader
{
    static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = true,
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
    };

    public static ModelConfig Load(string checkpointDir)
    {
        var path = Path.Combine(checkpointDir, "config.json");
        if (!File.Exists(path))
            throw new ConfigException($"{path}: not found; a checkpoint directory must hold config.json (Hugging Face layout)");
        return Parse(File.ReadAllText(path), path);
    }

    public static ModelConfig Parse(string json, string source = "config.json")
    {
        JsonObject root;
        try { root = JsonNode.Parse(json) as JsonObject ?? throw new ConfigException($"{source}: expected a JSON object"); }
        catch (JsonException e) { throw new ConfigException($"{source}: invalid JSON: {e.Message}"); }

        var modelType = root["model_type"]?.GetValue<string>()
            ?? throw new ConfigException($"{source}: field 'model_type' is missing");
        // Multimodal Gemma 3 (4B+) nests the text decoder's config under text_config, the tower's under vision_config.
        JsonObject? multimodal = null;
        if (modelType == "gemma3" && root["text_config"] is JsonObject text)
        {
            multimodal = root;
            root = (JsonObject)text.DeepClone();
            foreach (var inherited in (string[])["bos_token_id", "eos_token_id", "pad_token_id", "torch_dtype"])
                if (root[inherited] is null && multimodal[inherited] is { } value) root[inherited] = value.DeepClone();
            root["model_type"] = "gemma3_text";
            modelType = "gemma3_text";
        }
        if (modelType is "qwen3_vl" or "qwen3_vl_moe")
            throw new ConfigException($"{source}: model_type '{modelType}' (Qwen3-VL): its vision tower loads on its own " +
                "(Qwen3VLVisionModel, tensors under model.visual.) but the language side that reads its tokens is not built yet; " +
                "supported checkpoints: qwen3, gemma3_text, gemma3 (with or without vision), gpt_oss");
        Type type = modelType switch
        {
            "qwen3" => typeof(Qwen3Config),
            "gemma3_text" => typeof(Gemma3Config),
            "gpt_oss" => typeof(GptOssConfig),
            _ => throw new ConfigException(
                $"{source}: field 'model_type' is '{modelType}'; supported: qwen3, gemma3_text (or gemma3), gpt_oss"),
        };
        ModelConfig config;
        try { config = (ModelConfig)(root.Deserialize(type, Options) ?? throw new ConfigException($"{source}: empty config")); }
        catch (JsonException e) { throw new ConfigException($"{source}: field '{e.Path?.TrimStart('$', '.')}' has the wrong type: {e.Message}"); }
        if (multimodal?["vision_config"] is JsonObject vision && config is Gemma3Config gemma)
            config = gemma with { Vision = VisionSpec(multimodal, vision, source) };
        if (config.HeadDim == 0 && config.NumAttentionHeads > 0)
            config = config with { HeadDim = config.HiddenSize / config.NumAttentionHeads }; // HF's own fallback
        config.Validate(source);
        return config;
    }

    static Gemma3VisionSpec VisionSpec(JsonObject root, JsonObject vision, string source)
    {
        try
        {
            var spec = new Gemma3VisionSpec { Vision = vision.Deserialize<SiglipVisionConfig>(Options) ?? throw new ConfigException($"{source}: 'vision_config' is empty") };
            int Field(string name, int fallback) => root[name]?.GetValue<int>() ?? fallback;
            return spec with
            {
                MmTokensPerImage = Field("mm_tokens_per_image", spec.MmTokensPerImage),
                BoiTokenIndex = Field("boi_token_index", spec.BoiTokenIndex),
                EoiTokenIndex = Field("eoi_token_index", spec.EoiTokenIndex),
                ImageTokenIndex = Field("image_token_index", spec.ImageTokenIndex),
            };
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            throw new ConfigException($"{source}: 'vision_config' or an image token field has the wrong type: {e.Message}");
        }
    }

    /// <summary>config.json text; a Gemma 3 that sees is written in the published multimodal layout.</summary>
    public static string ToJson(ModelConfig config)
    {
        if (config is not Gemma3Config { Vision: { } spec } gemma) return JsonSerializer.Serialize(config, config.GetType(), Options);
        var text = JsonSerializer.SerializeToNode(gemma with { Architectures = [] }, Options)!.AsObject();
        text.Remove("architectures");
        var root = new JsonObject
        {
            ["architectures"] = new JsonArray("Gemma3ForConditionalGeneration"),
            ["model_type"] = "gemma3",
            ["boi_token_index"] = spec.BoiTokenIndex,
            ["eoi_token_index"] = spec.EoiTokenIndex,
            ["image_token_index"] = spec.ImageTokenIndex,
            ["mm_tokens_per_image"] = spec.MmTokensPerImage,
            ["torch_dtype"] = gemma.TorchDtype,
            ["text_config"] = text,
            ["vision_config"] = JsonSerializer.SerializeToNode(spec.Vision, Options),
        };
        if (gemma.EosTokenId is { } eos) root["eos_token_id"] = JsonSerializer.SerializeToNode(eos);
        return root.ToJsonString(Options);
    }

    public static void Save(ModelConfig config, string checkpointDir) =>
        File.WriteAllText(Path.Combine(checkpointDir, "config.json"), ToJson(config) + "\n");
}
