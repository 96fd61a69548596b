using System.Text;
using System.Text.Json;

namespace Avocado.Data.Dataset;

/// <summary>A summary of a distillation set (<c>avocado data inspect</c>): rows, columns, counts per teacher and skill,
/// and the first records with long strings cut.</summary>
public sealed record DatasetSummary(
    IReadOnlyList<string> Files,
    int Rows,
    IReadOnlyList<string> Columns,
    IReadOnlyDictionary<string, int> PerTeacher,
    IReadOnlyDictionary<string, int> PerSkill,
    IReadOnlyList<string> FirstRecords);

public static class DatasetInspector
{
    /// <summary>Inspects a shard (<c>.jsonl</c>), a <c>manifest.json</c>, or a dataset directory (its manifest).</summary>
    public static DatasetSummary Inspect(string path, int firstRecords = 3, int maxString = 80)
    {
        var files = ShardsOf(path);
        var columns = new List<string>();
        var perTeacher = new SortedDictionary<string, int>(StringComparer.Ordinal);
        var perSkill = new SortedDictionary<string, int>(StringComparer.Ordinal);
        var first = new List<string>();
        int rows = 0;
        foreach (var file in files)
        {
            if (IsParquet(file))
                foreach (var name in ParquetColumns(file))
                    if (!columns.Contains(name)) columns.Add(name);
            foreach (var record in Records(file))
            {
                rows++;
                foreach (var p in record.EnumerateObject())
                    if (!columns.Contains(p.Name)) columns.Add(p.Name);
                Count(perTeacher, record, "teacher");
                Count(perSkill, record, "skill");
                if (first.Count < firstRecords) first.Add(Truncate(record, maxString));
            }
        }
        return new DatasetSummary(files, rows, columns, perTeacher, perSkill, first);
    }

    public static string Format(DatasetSummary s)
    {
        var b = new StringBuilder();
        b.AppendLine($"files:   {string.Join(", ", s.Files.Select(Path.GetFileName))}");
        b.AppendLine($"rows:    {s.Rows}");
        b.AppendLine($"columns: {string.Join(", ", s.Columns)}");
        b.AppendLine("per teacher:");
        foreach (var (k, v) in s.PerTeacher) b.AppendLine($"  {k,-24} {v,8}");
        b.AppendLine("per skill:");
        foreach (var (k, v) in s.PerSkill) b.AppendLine($"  {k,-24} {v,8}");
        for (int i = 0; i < s.FirstRecords.Count; i++) b.AppendLine($"record {i}:").AppendLine(s.FirstRecords[i]);
        return b.ToString();
    }

    static IReadOnlyList<string> ShardsOf(string path)
    {
        if (Directory.Exists(path)) path = Path.Combine(path, DatasetManifest.FileName);
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: no such file (give a .parquet or .jsonl shard, a manifest.json or a dataset directory)");
        if (Path.GetFileName(path) == DatasetManifest.FileName)
        {
            var manifest = DatasetManifest.Read(path);
            var dir = Path.GetDirectoryName(Path.GetFullPath(path))!;
            return manifest.Files.Select(f => Path.Combine(dir, f.Path)).ToList();
        }
        return [path];
    }

    static bool IsParquet(string file) => file.EndsWith(".parquet", StringComparison.OrdinalIgnoreCase);

    /// <summary>Top-level column names from a Parquet file's schema (nested ones are listed under their parent).</summary>
    static IEnumerable<string> ParquetColumns(string file)
    {
        using var stream = File.OpenRead(file);
        var reader = Parquet.ParquetReader.CreateAsync(stream).GetAwaiter().GetResult();
        try { return reader.Schema.Fields.Select(f => f.Name).ToList(); }
        finally { reader.DisposeAsync().AsTask().GetAwaiter().GetResult(); }
    }

    /// <summary>A shard's records as JSON objects: JSONL lines as they are, Parquet rows read as <see cref="DatasetRecord"/>.</summary>
    static IEnumerable<JsonElement> Records(string file)
    {
        if (IsParquet(file))
        {
            foreach (var record in DatasetWriter.ReadShard(file))
                yield return JsonSerializer.SerializeToElement(record, DatasetRecord.Json);
            yield break;
        }
        int lineNumber = 0;
        foreach (var line in File.ReadLines(file))
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            JsonElement record;
            try { record = JsonDocument.Parse(line).RootElement; }
            catch (JsonException e) { throw new InvalidDataException($"{file}:{lineNumber}: not a JSON record ({e.Message})"); }
            if (record.ValueKind != JsonValueKind.Object) throw new InvalidDataException($"{file}:{lineNumber}: a record must be a JSON object");
            yield return record;
        }
    }

    static void Count(SortedDictionary<string, int> counts, JsonElement record, string field)
    {
        var key = record.TryGetProperty(field, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString()! : "(none)";
        counts[key] = counts.GetValueOrDefault(key) + 1;
    }

    static string Truncate(JsonElement record, int maxString)
    {
        var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = DatasetRecord.Json.Encoder }))
            Write(w, record, maxString);
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    static void Write(Utf8JsonWriter w, JsonElement e, int maxString)
    {
        switch (e.ValueKind)
        {
            case JsonValueKind.Object:
                w.WriteStartObject();
                foreach (var p in e.EnumerateObject()) { w.WritePropertyName(p.Name); Write(w, p.Value, maxString); }
                w.WriteEndObject();
                break;
            case JsonValueKind.Array:
                w.WriteStartArray();
                int n = 0, length = e.GetArrayLength();
                foreach (var item in e.EnumerateArray())
                {
                    if (n++ == 3 && length > 4) { w.WriteStringValue($"… {length - 3} more"); break; }
                    Write(w, item, maxString);
                }
                w.WriteEndArray();
                break;
            case JsonValueKind.String:
                var s = e.GetString()!;
                w.WriteStringValue(s.Length <= maxString ? s : s[..maxString] + $"… ({s.Length} chars)");
                break;
            default:
                e.WriteTo(w);
                break;
        }
    }
}
