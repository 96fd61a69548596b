using System.Text.Json;

namespace Avocado.Models.Gguf;

/// <summary>A failure to export: the message names the file, field or tensor at fault and what to do.</summary>
public sealed class GgufExportException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// Read-only view of a Hugging Face <c>config.json</c> as the exporter needs it. Parsed here rather than through the
/// model's config records so the export reads the checkpoint independently of the code it is checked against.
/// Every getter names the field when it is missing or of the wrong kind.
/// </summary>
internal sealed class HfConfig
{
    private readonly JsonElement _root;

    private HfConfig(JsonElement root, string source)
    {
        _root = root;
        Source = source;
    }

    /// <summary>The file (and the nested object, for multimodal Gemma 3) errors name.</summary>
    public string Source { get; }

    public string ModelType => String("model_type");

    public static HfConfig Load(string checkpointDir)
    {
        var path = Path.Combine(checkpointDir, "config.json");
        if (!File.Exists(path))
        {
            throw new GgufExportException($"{path}: not found; a checkpoint directory must hold config.json (Hugging Face layout)");
        }
        JsonElement root;
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(path));
            root = doc.RootElement.Clone();
        }
        catch (JsonException e)
        {
            throw new GgufExportException($"{path}: invalid JSON: {e.Message}", e);
        }
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new GgufExportException($"{path}: expected a JSON object");
        }
        var config = new HfConfig(root, path);
        // Multimodal Gemma 3 (4B and up) nests the text decoder's config; its tensors sit under a language_model prefix.
        if (config.OptString("model_type") == "gemma3" && config.Object("text_config") is { } text)
        {
            return text;
        }
        return config;
    }

    public bool Has(string name) => _root.TryGetProperty(name, out var v) && v.ValueKind != JsonValueKind.Null;

    public string String(string name) => OptString(name) ?? throw Missing(name, "a string");

    public string? OptString(string name) => Get(name) is { } v
        ? v.ValueKind == JsonValueKind.String ? v.GetString() : throw WrongKind(name, "a string", v)
        : null;

    public int Int(string name) => OptInt(name) ?? throw Missing(name, "an integer");

    public int? OptInt(string name) => Get(name) is { } v
        ? v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out var i) ? i : throw WrongKind(name, "an integer", v)
        : null;

    public double Double(string name) => OptDouble(name) ?? throw Missing(name, "a number");

    public double? OptDouble(string name) => Get(name) is { } v
        ? v.ValueKind == JsonValueKind.Number ? v.GetDouble() : throw WrongKind(name, "a number", v)
        : null;

    public bool? OptBool(string name) => Get(name) is { } v
        ? v.ValueKind is JsonValueKind.True or JsonValueKind.False ? v.GetBoolean() : throw WrongKind(name, "true or false", v)
        : null;

    public string[]? OptStrings(string name) => Get(name) is { } v
        ? v.ValueKind == JsonValueKind.Array && v.EnumerateArray().All(e => e.ValueKind == JsonValueKind.String)
            ? [.. v.EnumerateArray().Select(e => e.GetString()!)]
            : throw WrongKind(name, "a list of strings", v)
        : null;

    /// <summary>An integer or a list of integers (as <c>eos_token_id</c> may be), as a list.</summary>
    public int[]? OptInts(string name) => Get(name) is { } v
        ? v.ValueKind switch
        {
            JsonValueKind.Number when v.TryGetInt32(out var i) => [i],
            JsonValueKind.Array when v.EnumerateArray().All(e => e.ValueKind == JsonValueKind.Number) =>
                [.. v.EnumerateArray().Select(e => e.GetInt32())],
            _ => throw WrongKind(name, "an integer or a list of integers", v),
        }
        : null;

    public HfConfig? Object(string name) => Get(name) is { } v
        ? v.ValueKind == JsonValueKind.Object ? new HfConfig(v, $"{Source}: {name}") : throw WrongKind(name, "an object", v)
        : null;

    public GgufExportException Error(string field, string problem) => new($"{Source}: field '{field}': {problem}");

    private JsonElement? Get(string name) =>
        _root.TryGetProperty(name, out var v) && v.ValueKind != JsonValueKind.Null ? v : null;

    private GgufExportException Missing(string name, string kind) => Error(name, $"missing (expected {kind})");

    private GgufExportException WrongKind(string name, string kind, JsonElement v) =>
        Error(name, $"expected {kind}, got {v.ValueKind.ToString().ToLowerInvariant()} {v.GetRawText()}");
}
