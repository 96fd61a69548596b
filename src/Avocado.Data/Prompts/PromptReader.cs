using System.Text;
using System.Text.Json;

namespace Avocado.Data.Prompts;

/// <summary>
/// Reads prompt sets from JSONL files (see <see cref="PromptFileKind"/> for the layouts). Blank lines are skipped.
/// Every problem is a <see cref="PromptFileException"/> naming the file, the line and the field; ids must be unique
/// across everything read in one call, and records without an "id" get a content hash (<see cref="PromptIds"/>).
/// </summary>
public static class PromptReader
{
    /// <summary>Reads one file; <see cref="PromptItem.Source"/> is the path as given unless a record has "source".</summary>
    public static IReadOnlyList<PromptItem> ReadFile(string path, PromptFileKind kind = PromptFileKind.Auto) => ReadFiles([path], kind);

    /// <summary>Reads several files as one prompt set (ids must be unique across all of them); each file's layout is detected on its own.</summary>
    public static IReadOnlyList<PromptItem> ReadFiles(IEnumerable<string> paths, PromptFileKind kind = PromptFileKind.Auto)
    {
        ArgumentNullException.ThrowIfNull(paths);
        var items = new List<PromptItem>();
        var seen = new Dictionary<string, (string File, int Line)>(StringComparer.Ordinal);
        foreach (var path in paths)
        {
            StreamReader reader;
            try
            {
                reader = new StreamReader(path, Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new PromptFileException(path, 0, null, $"cannot read the file: {e.Message}", e);
            }
            using (reader) ReadInto(items, seen, reader, path, kind);
        }
        return items;
    }

    /// <summary>Reads prompts from text; <paramref name="source"/> names it in errors and in <see cref="PromptItem.Source"/>.</summary>
    public static IReadOnlyList<PromptItem> Read(TextReader reader, string source, PromptFileKind kind = PromptFileKind.Auto)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(source);
        var items = new List<PromptItem>();
        ReadInto(items, new Dictionary<string, (string, int)>(StringComparer.Ordinal), reader, source, kind);
        return items;
    }

    private static void ReadInto(List<PromptItem> items, Dictionary<string, (string File, int Line)> seen, TextReader reader, string source,
        PromptFileKind kind)
    {
        int lineNumber = 0;
        int countBefore = items.Count;
        while (reader.ReadLine() is { } line)
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            using var doc = ParseLine(line, source, lineNumber);
            var record = new PromptRecord(doc.RootElement, source, lineNumber);
            if (kind == PromptFileKind.Auto) kind = PromptLayouts.Detect(record);
            var item = PromptLayouts.Read(record, kind, source);

            if (seen.TryGetValue(item.Id, out var first))
            {
                string where = first.File == source ? $"line {first.Line}" : $"{first.File} line {first.Line}";
                throw record.Has("id") || record.Has("unique_id")
                    ? record.Error("id", $"id \"{item.Id}\" is already used at {where}; ids must be unique (rename one, or drop the duplicate)")
                    : record.Error("id", $"this prompt repeats the one at {where} (the same messages give the same generated id \"{item.Id}\"); "
                        + "drop the duplicate, or give each record its own \"id\"");
            }
            seen.Add(item.Id, (source, lineNumber));
            items.Add(item);
        }
        if (items.Count == countBefore) throw new PromptFileException(source, 0, null, "the file holds no prompts (every line is blank)");
    }

    private static JsonDocument ParseLine(string line, string source, int lineNumber)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(line);
        }
        catch (JsonException e)
        {
            throw new PromptFileException(source, lineNumber, null, $"not valid JSON ({e.Message}); each line must be one JSON object", e);
        }
        if (doc.RootElement.ValueKind != JsonValueKind.Object)
        {
            var kind = PromptRecord.Kind(doc.RootElement);
            doc.Dispose();
            throw new PromptFileException(source, lineNumber, null, $"expected a JSON object, not {kind}; each line must be one prompt record");
        }
        return doc;
    }
}
