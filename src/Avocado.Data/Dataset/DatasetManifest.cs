using System.Text.Json;

namespace Avocado.Data.Dataset;

/// <summary><c>manifest.json</c>: what a distillation set holds and how it was made. Deterministic (no clock time), so an
/// interrupted-then-resumed run writes the same manifest as an uninterrupted one.</summary>
public sealed record DatasetManifest
{
    public const string CurrentFormat = "avocado.distill-dataset/1";

    public string Format { get; init; } = CurrentFormat;
    /// <summary>"parquet" (one row per <see cref="DatasetRecord"/>, nested columns) or "jsonl" (one per line).</summary>
    public string ShardFormat { get; init; } = "parquet";
    public required IReadOnlyList<ManifestFile> Files { get; init; }
    public int Records { get; init; }
    public required ManifestCounts Counts { get; init; }
    /// <summary>SHA-256 (hex) of the config file.</summary>
    public required string ConfigHash { get; init; }
    public required string SelectionPolicy { get; init; }
    public bool Verifier { get; init; }
    public required IReadOnlyList<ManifestTeacher> Teachers { get; init; }

    public const string FileName = "manifest.json";

    public static DatasetManifest Read(string path) =>
        JsonSerializer.Deserialize<DatasetManifest>(File.ReadAllBytes(path), DatasetRecord.Json)
        ?? throw new InvalidDataException($"{path}: empty manifest");
}

/// <summary>A shard: its path relative to the dataset directory, record count, size and SHA-256 (hex).</summary>
public sealed record ManifestFile(string Path, int Records, long Bytes, string Sha256);

public sealed record ManifestCounts(
    int Prompts,
    int PromptsDroppedByDecontamination,
    int Requests,
    int FailedRequests,
    int Candidates,
    int Selected);

public sealed record ManifestTeacher(string Name, string Family, string Revision, string License, int Records, int FailedRequests);
