using System.Text.Json;

namespace Avocado.Charts;

/// <summary>
/// The numeric series of a training metrics JSONL file: one JSON object a line, e.g.
/// {"step": 10, "tokens": 1234, "loss/total": 2.3, "lr": 0.001}. Every numeric field becomes a series of
/// (step, value) points; a line without "step" counts as the step after the previous one. Nested objects are
/// flattened with '/' ({"eval": {"acc": 1}} is "eval/acc"). The strings "NaN", "Infinity" and "-Infinity" (what
/// System.Text.Json writes for non-finite floats) become non-finite points, which plots show as gaps; other
/// strings, booleans, nulls and arrays are ignored.
/// </summary>
public sealed class MetricsSeries
{
    /// <summary>Keys that are the x axis, not metrics.</summary>
    public static IReadOnlySet<string> AxisKeys { get; } = new HashSet<string>(StringComparer.Ordinal) { "step", "tokens" };

    private readonly Dictionary<string, List<(double Step, double Value)>> _series = new(StringComparer.Ordinal);
    private readonly List<string> _order = [];

    /// <summary>Metric names in order of first appearance.</summary>
    public IReadOnlyList<string> Keys => _order;

    public IReadOnlyList<(double Step, double Value)> this[string key] => _series[key];

    /// <summary>Reads the file. A malformed line fails with its line number, except a malformed last line, which is
    /// skipped: that is a line still being written by a running trainer (or cut short by a crash).</summary>
    public static MetricsSeries Read(string path)
    {
        var log = new MetricsSeries();
        string[] lines = File.ReadAllLines(path);
        int last = Array.FindLastIndex(lines, l => !string.IsNullOrWhiteSpace(l));
        double step = -1;
        for (int i = 0; i <= last; i++)
        {
            if (string.IsNullOrWhiteSpace(lines[i])) continue;
            JsonDocument doc;
            try { doc = JsonDocument.Parse(lines[i]); }
            catch (JsonException e)
            {
                if (i == last) break;
                throw new InvalidDataException($"{path}:{i + 1}: not a JSON object ({e.Message}); each line of a metrics file must be one JSON object", e);
            }
            using (doc)
            {
                if (doc.RootElement.ValueKind != JsonValueKind.Object)
                    throw new InvalidDataException($"{path}:{i + 1}: expected a JSON object, found {doc.RootElement.ValueKind}");
                step = doc.RootElement.TryGetProperty("step", out var s) && s.ValueKind == JsonValueKind.Number ? s.GetDouble() : step + 1;
                log.AddObject("", doc.RootElement, step);
            }
        }
        return log;
    }

    private void AddObject(string prefix, JsonElement obj, double step)
    {
        foreach (var property in obj.EnumerateObject())
        {
            string key = prefix + property.Name;
            if (prefix.Length == 0 && AxisKeys.Contains(key)) continue;
            switch (property.Value.ValueKind)
            {
                case JsonValueKind.Number:
                    Add(key, step, property.Value.GetDouble());
                    break;
                case JsonValueKind.String when NonFinite(property.Value.GetString()) is { } v:
                    Add(key, step, v);
                    break;
                case JsonValueKind.Object:
                    AddObject(key + "/", property.Value, step);
                    break;
            }
        }
    }

    private static double? NonFinite(string? s) => s switch
    {
        "NaN" => double.NaN,
        "Infinity" => double.PositiveInfinity,
        "-Infinity" => double.NegativeInfinity,
        _ => null,
    };

    private void Add(string key, double step, double value)
    {
        if (!_series.TryGetValue(key, out var points))
        {
            _series[key] = points = [];
            _order.Add(key);
        }
        points.Add((step, value));
    }
}
