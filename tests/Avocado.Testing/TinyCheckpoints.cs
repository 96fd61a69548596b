using Avocado.Models;

namespace Avocado.Testing;

/// <summary>Tiny random checkpoints written once per test run (per family and seed) into a temp directory.</summary>
public static class TinyCheckpoints
{
    static readonly string Root = Path.Combine(Path.GetTempPath(), "avocado-tests", Guid.NewGuid().ToString("N"));
    static readonly Dictionary<string, string> Written = [];
    static readonly Lock Gate = new();

    /// <summary>One row per family, for <c>[MemberData]</c>.</summary>
    public static IEnumerable<object[]> Families => [["qwen3"], ["gemma3"], ["gpt-oss"]];

    public static string Get(string family, int seed = 1)
    {
        lock (Gate)
        {
            var key = $"{family}-{seed}";
            if (Written.TryGetValue(key, out var dir)) return dir;
            dir = Path.Combine(Root, key);
            ModelInit.WriteTiny(family, dir, seed);
            Written[key] = dir;
            return dir;
        }
    }

    public static string NewTempDir()
    {
        var dir = Path.Combine(Root, "tmp-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        return dir;
    }
}
