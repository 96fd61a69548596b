using Avocado.Common.Files;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Avocado.Teachers;
using Parquet.Serialization;

namespace Avocado.Data.Dataset;

/// <summary>
/// Writes a distillation set into a directory: <c>data/train-NNNNN-of-MMMMM.parquet</c> (or <c>.jsonl</c>) shards (records in the order
/// given), <c>manifest.json</c>, <c>DATASET_CARD.md</c> and <c>dataset_card.json</c>. Each file is written to a
/// temporary name and renamed, so a crash never leaves a half-written file under its final name; shards of an earlier
/// write that the new one does not have are removed.
/// </summary>
public enum ShardFormat { Parquet, Jsonl }

public static class DatasetWriter
{
    public const string DataDir = "data";

    /// <summary>Writes the shards and returns their manifest entries.</summary>
    public static IReadOnlyList<ManifestFile> WriteShards(string outputDir, IReadOnlyList<DatasetRecord> records, int shardSize,
        ShardFormat format = ShardFormat.Parquet)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(shardSize, 1);
        var dataDir = Path.Combine(outputDir, DataDir);
        Directory.CreateDirectory(dataDir);
        int shards = Math.Max(1, (records.Count + shardSize - 1) / shardSize);
        var extension = Extension(format);
        var files = new List<ManifestFile>();
        for (int s = 0; s < shards; s++)
        {
            var name = $"train-{s:D5}-of-{shards:D5}{extension}";
            var shard = records.Skip(s * shardSize).Take(shardSize).ToList();
            var bytes = format == ShardFormat.Parquet ? ParquetBytes(shard) : JsonlBytes(shard);
            WriteAtomically(Path.Combine(dataDir, name), bytes);
            files.Add(new ManifestFile($"{DataDir}/{name}", shard.Count, bytes.Length, Convert.ToHexStringLower(SHA256.HashData(bytes))));
        }
        var keep = files.Select(f => Path.GetFileName(f.Path)).ToHashSet(StringComparer.Ordinal);
        foreach (var stale in Directory.EnumerateFiles(dataDir, "train-*.*"))
            if (!keep.Contains(Path.GetFileName(stale))) File.Delete(stale);
        return files;
    }

    public static string Extension(ShardFormat format) => format == ShardFormat.Parquet ? ".parquet" : ".jsonl";

    static byte[] JsonlBytes(IReadOnlyList<DatasetRecord> records)
    {
        var builder = new StringBuilder();
        foreach (var record in records) builder.Append(JsonSerializer.Serialize(record, DatasetRecord.Json)).Append('\n');
        return Encoding.UTF8.GetBytes(builder.ToString());
    }

    /// <summary>One row group, nested columns (messages, sampling, verification, selection, logprobs.top) as Parquet
    /// lists and structs; Parquet.Net's output is byte-for-byte deterministic.</summary>
    static byte[] ParquetBytes(IReadOnlyList<DatasetRecord> records)
    {
        using var stream = new MemoryStream();
        ParquetSerializer.SerializeAsync(records, stream).GetAwaiter().GetResult();
        return stream.ToArray();
    }

    /// <summary>Reads a shard of either format.</summary>
    public static IReadOnlyList<DatasetRecord> ReadShard(string path)
    {
        if (path.EndsWith(".parquet", StringComparison.OrdinalIgnoreCase))
        {
            using var stream = File.OpenRead(path);
            return [.. ParquetSerializer.DeserializeAsync<DatasetRecord>(stream).GetAwaiter().GetResult().Data];
        }
        var records = new List<DatasetRecord>();
        int lineNumber = 0;
        foreach (var line in File.ReadLines(path))
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            try { records.Add(JsonSerializer.Deserialize<DatasetRecord>(line, DatasetRecord.Json) ?? throw new JsonException("null record")); }
            catch (JsonException e) { throw new InvalidDataException($"{path}:{lineNumber}: not a dataset record ({e.Message})"); }
        }
        return records;
    }

    public static void WriteManifest(string outputDir, DatasetManifest manifest) =>
        WriteAtomically(Path.Combine(outputDir, DatasetManifest.FileName), JsonBytes(manifest));

    public static void WriteCard(string outputDir, DatasetCard card)
    {
        WriteAtomically(Path.Combine(outputDir, DatasetCard.JsonFileName), JsonBytes(card));
        WriteAtomically(Path.Combine(outputDir, DatasetCard.MarkdownFileName), Encoding.UTF8.GetBytes(card.ToMarkdown()));
    }

    static byte[] JsonBytes<T>(T value) =>
        Encoding.UTF8.GetBytes(JsonSerializer.Serialize(value, new JsonSerializerOptions(DatasetRecord.Json) { WriteIndented = true }) + "\n");

    static void WriteAtomically(string path, byte[] bytes) => AtomicFile.WriteAllBytes(path, bytes);
}

/// <summary>The dataset card: counts per teacher and skill, and the license obligations of the mix.</summary>
public sealed record DatasetCard
{
    public const string JsonFileName = "dataset_card.json", MarkdownFileName = "DATASET_CARD.md";

    public int Records { get; init; }
    public int Prompts { get; init; }
    public required IReadOnlyDictionary<string, int> RecordsPerTeacher { get; init; }
    public required IReadOnlyDictionary<string, int> RecordsPerSkill { get; init; }
    public required IReadOnlyDictionary<string, int> RecordsPerLicense { get; init; }
    public required IReadOnlyList<ManifestTeacher> Teachers { get; init; }
    public int GemmaDerivedRecords { get; init; }
    public required IReadOnlyList<string> LicenseObligations { get; init; }
    public required string SelectionPolicy { get; init; }

    public static DatasetCard From(IReadOnlyList<DatasetRecord> records, int prompts, IReadOnlyList<ManifestTeacher> teachers, string policy)
    {
        static IReadOnlyDictionary<string, int> CountBy(IEnumerable<string> keys) =>
            keys.GroupBy(k => k, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count());
        int gemma = records.Count(r => r.GemmaTerms);
        var obligations = new List<string>();
        foreach (var license in records.Select(r => r.License).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
        {
            var from = string.Join(", ", records.Where(r => r.License == license).Select(r => r.Teacher).Distinct().Order(StringComparer.Ordinal));
            obligations.Add(license == TeacherFamilies.DefaultLicense(TeacherFamilies.Gemma3)
                ? $"Gemma Terms of Use apply to the {records.Count(r => r.License == license)} records from {from} (flagged gemma_terms: true): "
                  + "models trained on them are Gemma Model Derivatives; redistribution must pass on the terms and the "
                  + "Gemma Prohibited Use Policy (https://ai.google.dev/gemma/terms)."
                : $"{license}: {records.Count(r => r.License == license)} records from {from}; keep the license notice and attribution.");
        }
        if (gemma > 0 && gemma < records.Count)
            obligations.Add("The mix holds Gemma-derived records: filter on gemma_terms = false for a subset free of the Gemma Terms of Use.");
        return new DatasetCard
        {
            Records = records.Count,
            Prompts = prompts,
            RecordsPerTeacher = CountBy(records.Select(r => r.Teacher)),
            RecordsPerSkill = CountBy(records.Select(r => r.Skill ?? "(none)")),
            RecordsPerLicense = CountBy(records.Select(r => r.License)),
            Teachers = teachers,
            GemmaDerivedRecords = gemma,
            LicenseObligations = obligations,
            SelectionPolicy = policy,
        };
    }

    public string ToMarkdown()
    {
        var b = new StringBuilder();
        b.AppendLine("# Distillation dataset").AppendLine();
        b.AppendLine($"{Records} records from {Prompts} prompts; selection: {SelectionPolicy}. Shards are under `data/`; "
                     + "`manifest.json` lists them with SHA-256 hashes.").AppendLine();
        b.AppendLine("## Teachers").AppendLine();
        b.AppendLine("| teacher | family | revision | license | records | failed requests |");
        b.AppendLine("|---|---|---|---|---:|---:|");
        foreach (var t in Teachers) b.AppendLine($"| {t.Name} | {t.Family} | {t.Revision} | {t.License} | {t.Records} | {t.FailedRequests} |");
        b.AppendLine().AppendLine("## Records per skill").AppendLine();
        b.AppendLine("| skill | records |").AppendLine("|---|---:|");
        foreach (var (skill, n) in RecordsPerSkill) b.AppendLine($"| {skill} | {n} |");
        b.AppendLine().AppendLine("## License obligations").AppendLine();
        if (LicenseObligations.Count == 0) b.AppendLine("- (no records)");
        foreach (var o in LicenseObligations) b.AppendLine($"- {o}");
        if (GemmaDerivedRecords > 0)
            b.AppendLine().AppendLine($"**{GemmaDerivedRecords} records are Gemma-derived: the Gemma Terms of Use apply.**");
        return b.ToString();
    }
}
