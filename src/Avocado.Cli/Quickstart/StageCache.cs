using System.Security.Cryptography;
using System.Text;

namespace Avocado.Cli.Quickstart;

/// <summary>
/// A stage is done when its directory holds <c>.done</c> with the hash of the inputs it was built from; a re-run with
/// the same inputs skips it, different inputs rebuild it. The marker is written last, so a stage interrupted half way
/// is redone (or resumed, for stages that resume themselves).
/// </summary>
public static class StageCache
{
    public static string Key(params object[] inputs) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join("\n", inputs.Select(i => i.ToString())))))[..16];

    public static bool IsDone(string dir, string key) =>
        File.Exists(Path.Combine(dir, ".done")) && File.ReadAllText(Path.Combine(dir, ".done")).Trim() == key;

    public static void MarkDone(string dir, string key)
    {
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, ".done"), key + "\n");
    }

    /// <summary>For files that depend on other stages' outputs: the hash of a file's bytes.</summary>
    public static string FileHashOrDir(string path) =>
        Directory.Exists(path) ? Key(Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal)
            .Where(f => !f.EndsWith(".done", StringComparison.Ordinal)).Select(FileHash).ToArray()) : FileHash(path);

    public static string FileHash(string path) => Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path)))[..16];
}
