using Avocado.Common.Config;
using System.Security.Cryptography;

namespace Avocado.Traces.Config;

/// <summary>
/// Reads a run config (JSON or YAML, snake_case; see <see cref="TraceConfigFile"/>), checking every field and naming
/// the field path of the first problem. Unknown fields are errors (a typo must not silently fall back to a default).
/// Relative paths resolve against the config file's directory.
/// </summary>
public static class TraceConfigLoader
{
    public static TraceConfig Load(string path)
    {
        var (bytes, json) = ConfigFile.Read(path);
        var baseDir = Path.GetDirectoryName(Path.GetFullPath(path))!;
        return Parse(json, baseDir, path) with { ConfigHash = Convert.ToHexStringLower(SHA256.HashData(bytes)) };
    }

    public static TraceConfig Parse(ReadOnlySpan<byte> json, string baseDir, string source = "config") =>
        ConfigJson.Read<TraceConfigFile>(json, source).Validate(baseDir);
}
