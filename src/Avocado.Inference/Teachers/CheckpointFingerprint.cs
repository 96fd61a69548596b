using System.Security.Cryptography;
using System.Text;

using Avocado.Teachers;

namespace Avocado.Inference;

/// <summary>A checkpoint directory's content hash: what an in-process teacher's <see cref="ITeacher.Revision"/> defaults to,
/// so retrained weights never reuse the cached replies of the old ones.</summary>
public static class CheckpointFingerprint
{
    static readonly string[] Patterns =
        ["config.json", "generation_config.json", "tokenizer.json", "tokenizer_config.json", "*.safetensors", "*.safetensors.index.json"];

    /// <summary>"sha256:" + 16 hex digits of SHA-256 over the names, sizes and bytes of the model, config and tokenizer
    /// files. Reads every weight file once (about a second per GB); pass a revision explicitly to skip it.</summary>
    public static string Compute(string checkpointDir)
    {
        if (!Directory.Exists(checkpointDir)) throw new DirectoryNotFoundException($"checkpoint directory '{checkpointDir}' does not exist");
        var files = Patterns.SelectMany(p => Directory.EnumerateFiles(checkpointDir, p)).Distinct()
            .OrderBy(f => Path.GetFileName(f), StringComparer.Ordinal).ToArray();
        if (files.Length == 0) throw new FileNotFoundException($"{checkpointDir} holds no config.json or *.safetensors to fingerprint");
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[1 << 20];
        foreach (var file in files)
        {
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
            hash.AppendData(Encoding.UTF8.GetBytes($"{Path.GetFileName(file)}\n{stream.Length}\n"));
            int n;
            while ((n = stream.Read(buffer, 0, buffer.Length)) > 0) hash.AppendData(buffer, 0, n);
        }
        return "sha256:" + Convert.ToHexStringLower(hash.GetHashAndReset())[..16];
    }
}
