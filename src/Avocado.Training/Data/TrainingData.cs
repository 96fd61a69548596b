using System.Security.Cryptography;
using Avocado.Data.Dataset;

namespace Avocado.Training.Data;

/// <summary>A data file that went into a run, with its hash (recorded in the run directory for reproducibility).</summary>
public sealed record DataFile(string Path, string Sha256, int Records);

/// <summary>Reads dataset records from <c>distill generate</c> output directories (every shard its manifest lists,
/// checked against the manifest's hash) or from single shard files (.parquet / .jsonl).</summary>
public static class TrainingData
{
    public static (IReadOnlyList<DatasetRecord> Records, IReadOnlyList<DataFile> Files) Read(IReadOnlyList<string> paths)
    {
        var records = new List<DatasetRecord>();
        var files = new List<DataFile>();
        foreach (var path in paths)
            foreach (var file in ShardsOf(path))
            {
                var bytes = File.ReadAllBytes(file.Path);
                var hash = Convert.ToHexStringLower(SHA256.HashData(bytes));
                if (file.ExpectedSha256 is { } expected && expected != hash)
                    throw new InvalidDataException($"{file.Path}: SHA-256 {hash} differs from its manifest's {expected}; the dataset changed after it was written");
                var shard = DatasetWriter.ReadShard(file.Path);
                records.AddRange(shard);
                files.Add(new DataFile(file.Path, hash, shard.Count));
            }
        if (records.Count == 0) throw new InvalidDataException($"no records in {string.Join(", ", paths)}");
        return (records, files);
    }

    /// <summary>Just the records of one dataset directory or shard file.</summary>
    public static IReadOnlyList<DatasetRecord> ReadRecords(string path) => Read([path]).Records;

    static IEnumerable<(string Path, string? ExpectedSha256)> ShardsOf(string path)
    {
        if (File.Exists(path)) return [(path, null)];
        var manifestPath = System.IO.Path.Combine(path, DatasetManifest.FileName);
        if (!File.Exists(manifestPath))
            throw new InvalidDataException($"{path}: no {DatasetManifest.FileName}; give a dataset directory written by `avocado distill generate` or a shard file");
        var manifest = DatasetManifest.Read(manifestPath);
        return manifest.Files.Select(f => (System.IO.Path.Combine(path, f.Path), (string?)f.Sha256));
    }
}
