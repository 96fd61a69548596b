using System.Text.Json;
using System.Text.Json.Nodes;

namespace Avocado.Common.Config;

/// <summary>A JSON object being read, with its path for errors and the fields read so far (the rest are unknown).</summary>
public sealed class ConfigObject(JsonObject node, string path)
{
    readonly HashSet<string> _read = [];

    /// <summary>A path from a config: relative paths resolve against the config file's directory.</summary>
    public static string ResolvePath(string baseDir, string path) => Path.GetFullPath(Path.IsPathRooted(path) ? path : Path.Combine(baseDir, path));

    public static ConfigObject Of(JsonNode? node, string path) =>
        new(node as JsonObject ?? throw new ConfigException($"{path}: must be a JSON object"), path);

    string PathOf(string field) => path.Length == 0 ? field : $"{path}.{field}";

    public ConfigException Error(string field, string message) => new($"{PathOf(field)}: {message}");

    JsonNode? Get(string field, bool required, string? hint = null)
    {
        _read.Add(field);
        var n = node[field];
        if (n is null && required) throw Error(field, "missing" + (hint is null ? "" : $"; {hint}"));
        return n;
    }

    public string? String(string field, bool required = false, string? hint = null)
    {
        var n = Get(field, required, hint);
        if (n is null) return null;
        if (n is JsonValue v && v.TryGetValue(out string? s))
            return !string.IsNullOrWhiteSpace(s) ? s : throw Error(field, "must not be empty");
        throw Error(field, $"must be a string, got {n.GetValueKind().ToString().ToLowerInvariant()}");
    }

    public bool? Bool(string field)
    {
        var n = Get(field, false);
        if (n is null) return null;
        return n.GetValueKind() switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw Error(field, "must be true or false"),
        };
    }

    public long? Long(string field)
    {
        var n = Get(field, false);
        if (n is null) return null;
        if (n is JsonValue v && v.TryGetValue(out long x)) return x;
        if (n is JsonValue d && d.TryGetValue(out double y) && y == Math.Floor(y) && Math.Abs(y) < 9e15) return (long)y;
        throw Error(field, "must be an integer");
    }

    public int? Int(string field, int min = int.MinValue, int max = int.MaxValue)
    {
        var x = Long(field);
        if (x is null) return null;
        if (x < min || x > max)
            throw Error(field, max == int.MaxValue ? $"must be ≥ {min}, got {x}" : (min == double.Epsilon ? $"must be in (0, {max}]" : $"must be in [{min}, {max}]") + $", got {x}");
        return (int)x;
    }

    public double? Double(string field, double min = double.MinValue, double max = double.MaxValue)
    {
        var n = Get(field, false);
        if (n is null) return null;
        if (n is not JsonValue v || !v.TryGetValue(out double x) || !double.IsFinite(x)) throw Error(field, "must be a number");
        if (x < min || x > max) throw Error(field, max == double.MaxValue ? $"must be ≥ {min}, got {x}" : (min == double.Epsilon ? $"must be in (0, {max}]" : $"must be in [{min}, {max}]") + $", got {x}");
        return x;
    }

    public T? Enum<T>(string field, IReadOnlyDictionary<string, T> values, bool required = false) where T : struct
    {
        var s = String(field, required);
        if (s is null) return null;
        return values.TryGetValue(s, out var value) ? value
            : throw Error(field, $"'{s}' is not one of {string.Join(", ", values.Keys)}");
    }

    public JsonArray? Array(string field, bool required = false)
    {
        var n = Get(field, required);
        if (n is null) return null;
        return n as JsonArray ?? throw Error(field, "must be a JSON array");
    }

    public ConfigObject? Object(string field)
    {
        var n = Get(field, false);
        return n is null ? null : Of(n, PathOf(field));
    }

    public void EnsureNoUnknown()
    {
        foreach (var (key, _) in node)
            if (!_read.Contains(key)) throw Error(key, "unknown field (check the spelling; see docs/DISTILL.md and docs/TRAINING.md)");
    }
}
