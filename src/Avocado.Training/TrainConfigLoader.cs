using Avocado.Common.Config;
using System.Security.Cryptography;

namespace Avocado.Training;

/// <summary>
/// Reads a training config (JSON or YAML, snake_case; see <see cref="TrainConfigFile"/>), checking every field and naming the field path of the
/// first problem; unknown fields are errors. Relative paths resolve against the config file's directory.
/// </summary>
public static class TrainConfigLoader
{
    public static TrainConfig Load(string path)
    {
        var (bytes, json) = ConfigFile.Read(path);
        var baseDir = Path.GetDirectoryName(Path.GetFullPath(path))!;
        return Parse(json, baseDir, path) with { ConfigHash = Convert.ToHexStringLower(SHA256.HashData(bytes)) };
    }

    public static TrainConfig Parse(ReadOnlySpan<byte> json, string baseDir, string source = "config") =>
        ConfigJson.Read<TrainConfigFile>(json, source).Validate(baseDir);
}
