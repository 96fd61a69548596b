using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Avocado.Common.Config;

/// <summary>Run configs are JSON or, as people write them by hand, YAML (<c>.yaml</c>/<c>.yml</c>): a YAML file is
/// read with YamlDotNet and handed on as the equivalent JSON, so both go through the same field checks and messages.
/// Scalars follow the YAML 1.2 core schema (plain <c>8</c> is a number, <c>"8"</c> a string, <c>true</c>, <c>null</c>).</summary>
public static class ConfigFile
{
    /// <summary>The file's bytes as they are (for hashing) and as JSON (for parsing).</summary>
    public static (byte[] Raw, byte[] Json) Read(string path)
    {
        if (!File.Exists(path)) throw new ConfigException($"{path}: config file not found");
        var raw = File.ReadAllBytes(path);
        return (raw, IsYaml(path) ? YamlToJson(raw, path) : raw);
    }

    public static bool IsYaml(string path) => Path.GetExtension(path).ToLowerInvariant() is ".yaml" or ".yml";

    public static byte[] YamlToJson(byte[] yaml, string source)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(Encoding.UTF8.GetString(yaml)));
        }
        catch (YamlException e)
        {
            throw new ConfigException($"{source}: not valid YAML (line {e.Start.Line}, column {e.Start.Column}: {e.Message})");
        }
        if (stream.Documents.Count != 1)
            throw new ConfigException($"{source}: expected one YAML document, found {stream.Documents.Count}");
        return Encoding.UTF8.GetBytes(ToJson(stream.Documents[0].RootNode, source)?.ToJsonString() ?? "null");
    }

    static JsonNode? ToJson(YamlNode node, string source) => node switch
    {
        YamlMappingNode map => Object(map, source),
        YamlSequenceNode list => new JsonArray([.. list.Children.Select(c => ToJson(c, source))]),
        YamlScalarNode scalar => Scalar(scalar),
        _ => throw new ConfigException($"{source}: line {node.Start.Line}: unsupported YAML node"),
    };

    static JsonObject Object(YamlMappingNode map, string source)
    {
        var o = new JsonObject();
        foreach (var (key, value) in map.Children)
        {
            if (key is not YamlScalarNode { Value: { } name })
                throw new ConfigException($"{source}: line {key.Start.Line}: keys must be plain names");
            if (o.ContainsKey(name)) throw new ConfigException($"{source}: line {key.Start.Line}: '{name}' is given twice");
            o[name] = ToJson(value, source);
        }
        return o;
    }

    static JsonNode? Scalar(YamlScalarNode v)
    {
        var s = v.Value ?? "";
        if (v.Style != ScalarStyle.Plain) return JsonValue.Create(s);
        switch (s)
        {
            case "" or "~" or "null" or "Null" or "NULL": return null;
            case "true" or "True" or "TRUE": return JsonValue.Create(true);
            case "false" or "False" or "FALSE": return JsonValue.Create(false);
        }
        if (long.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l)) return JsonValue.Create(l);
        if (LooksNumeric(s) && double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d))
            return JsonValue.Create(d);
        return JsonValue.Create(s);
    }

    // Only what YAML 1.2 calls a float (digits, one point, an exponent): "1_000", "0x10" or "1e" stay strings.
    static bool LooksNumeric(string s) =>
        System.Text.RegularExpressions.Regex.IsMatch(s, @"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$");
}
