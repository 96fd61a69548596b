using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;

namespace Avocado.Common.Config;

/// <summary>Run configs through System.Text.Json: snake_case, unknown fields refused, comments and trailing commas
/// allowed. The file is read into a record of nullable fields (what the person wrote) whose <c>Validate</c> checks
/// every field and builds the run's settings; System.Text.Json's own errors are reworded to name the field path
/// (<c>teachers[1].samples_per_prompt: must be an integer</c>), as <see cref="Check"/>'s are.</summary>
public static partial class ConfigJson
{
    public static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
    };

    public static T Read<T>(ReadOnlySpan<byte> json, string source) where T : class
    {
        try
        {
            return JsonSerializer.Deserialize<T>(json, Options) ?? throw new ConfigException($"{source}: the config must be a JSON object");
        }
        catch (JsonException e)
        {
            throw Reword(e, source);
        }
    }

    static ConfigException Reword(JsonException e, string source)
    {
        var path = FieldPath(e.Path);
        if (UnknownMember().Match(e.Message) is { Success: true } unknown)
        {
            var name = unknown.Groups[1].Value;
            var full = path.EndsWith(name, StringComparison.Ordinal) ? path : Check.PathOf(path, name);
            return new ConfigException($"{full}: unknown field");
        }
        if (path.Length > 0 && NotConvertible().Match(e.Message) is { Success: true } convert)
            return new ConfigException($"{path}: must be {Expected(convert.Groups[1].Value)}");
        return new ConfigException($"{source}: not valid JSON ({e.Message})");
    }

    /// <summary>"$.teachers[1].top_p" → "teachers[1].top_p".</summary>
    static string FieldPath(string? jsonPath) => (jsonPath ?? "$").TrimStart('$').TrimStart('.');

    static string Expected(string type) => type switch
    {
        _ when type.Contains("Int32") || type.Contains("Int64") => "an integer",
        _ when type.Contains("Double") => "a number",
        _ when type.Contains("Boolean") => "true or false",
        _ when type.Contains("System.String") && !type.Contains("List") => "a string",
        _ when type.Contains("List") || type.Contains("[]") => "a JSON array",
        _ => "a JSON object",
    };

    [GeneratedRegex("The JSON property '([^']+)' could not be mapped")]
    private static partial Regex UnknownMember();

    [GeneratedRegex("could not be converted to ([^ .]+(?:\\.[^ .]+)*[^ .]*)")]
    private static partial Regex NotConvertible();
}

/// <summary>Field checks with one wording for every config: "PATH: missing", "PATH: must be ≥ 1, got 0", "PATH: 'x' is
/// not one of a, b".</summary>
public static class Check
{
    public static string PathOf(string parent, string field) => parent.Length == 0 ? field : $"{parent}.{field}";

    public static ConfigException Error(string path, string message) => new($"{path}: {message}");

    public static T Required<T>(T? value, string path, string? hint = null) where T : class =>
        value ?? throw Error(path, "missing" + (hint is null ? "" : $"; {hint}"));

    public static string? Text(string? value, string path) =>
        value is null ? null : !string.IsNullOrWhiteSpace(value) ? value : throw Error(path, "must not be empty");

    public static string RequiredText(string? value, string path, string? hint = null) => Text(Required(value, path, hint), path)!;

    public static int? Range(int? value, string path, int min, int max = int.MaxValue) =>
        value is not { } x || (x >= min && x <= max) ? value
            : throw Error(path, (max == int.MaxValue ? $"must be ≥ {min}" : $"must be in [{min}, {max}]") + $", got {x}");

    public static long? Range(long? value, string path, long min, long max = long.MaxValue) =>
        value is not { } x || (x >= min && x <= max) ? value
            : throw Error(path, (max == long.MaxValue ? $"must be ≥ {min}" : $"must be in [{min}, {max}]") + $", got {x}");

    /// <summary>A finite number in [min, max]; a min of <see cref="double.Epsilon"/> reads "(0, max]".</summary>
    public static double? Range(double? value, string path, double min, double max = double.MaxValue)
    {
        if (value is not { } x) return null;
        if (!double.IsFinite(x)) throw Error(path, "must be a number");
        if (x >= min && x <= max) return x;
        throw Error(path, (max == double.MaxValue ? $"must be ≥ {min}" : min == double.Epsilon ? $"must be in (0, {max}]" : $"must be in [{min}, {max}]") + $", got {x}");
    }

    public static T? OneOf<T>(string? value, string path, IReadOnlyDictionary<string, T> values) where T : struct =>
        Text(value, path) is not { } s ? null
            : values.TryGetValue(s, out var v) ? v : throw Error(path, $"'{s}' is not one of {string.Join(", ", values.Keys)}");

    /// <summary>A path from a config: relative paths resolve against the config file's directory.</summary>
    public static string ResolvePath(string baseDir, string path) => Path.GetFullPath(Path.IsPathRooted(path) ? path : Path.Combine(baseDir, path));

    /// <summary>Each item of a list, or "PATH[i]: must be a JSON object" for a null item.</summary>
    public static IEnumerable<(T Item, string Path)> Items<T>(IReadOnlyList<T?>? list, string path) where T : class =>
        (list ?? []).Select((item, i) => (item ?? throw Error($"{path}[{i}]", "must be a JSON object"), $"{path}[{i}]"));

    /// <summary>Each string of a list, non-empty.</summary>
    public static List<string> Strings(IReadOnlyList<string?>? list, string path, string what = "must be a non-empty string") =>
        [.. (list ?? []).Select((s, i) => !string.IsNullOrWhiteSpace(s) ? s : throw Error($"{path}[{i}]", what))];
}
