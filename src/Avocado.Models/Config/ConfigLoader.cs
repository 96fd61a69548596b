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
        // Multimodal Gemma 3 (4B+) nests the text decoder's config under text_config.
        if (modelType == "gemma3" && root["text_config"] is JsonObject text)
        {
            root = text;
            root["model_type"] = "gemma3_text";
            modelType = "gemma3_text";
        }
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
        if (config.HeadDim == 0 && config.NumAttentionHeads > 0)
            config = config with { HeadDim = config.HiddenSize / config.NumAttentionHeads }; // HF's own fallback
        config.Validate(source);
        return config;
    }

    public static string ToJson(ModelConfig config) => JsonSerializer.Serialize(config, config.GetType(), Options);

    public static void Save(ModelConfig config, string checkpointDir) =>
        File.WriteAllText(Path.Combine(checkpointDir, "config.json"), ToJson(config) + "\n");
}
