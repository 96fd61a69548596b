using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Avocado.Training.Run;

/// <summary><c>metrics.jsonl</c>: one JSON object per logged step (step, tokens, lr, grad_norm, every loss term as
/// <c>loss/…</c>, eval metrics as <c>eval/…</c>). On resume, lines after the checkpoint's step are dropped so the file
/// reads as if the run had never stopped.</summary>
public sealed class MetricsLog
{
    static readonly UTF8Encoding Utf8NoBom = new(encoderShouldEmitUTF8Identifier: false);
    public const string FileName = "metrics.jsonl";
    readonly string _path;

    public MetricsLog(string runDir, int resumedStep)
    {
        _path = System.IO.Path.Combine(runDir, FileName);
        if (!File.Exists(_path)) return;
        var kept = File.ReadLines(_path).Where(line => StepOf(line) is { } s && s <= resumedStep).ToList();
        File.WriteAllLines(_path, kept);
    }

    public string FilePath => _path;

    public void Write(int step, IReadOnlyDictionary<string, double> values)
    {
        var json = new JsonObject { ["step"] = step };
        foreach (var (key, value) in values)
            json[key] = double.IsFinite(value) ? JsonValue.Create(Math.Round(value, 8)) : JsonValue.Create(value.ToString(CultureInfo.InvariantCulture));
        File.AppendAllText(_path, json.ToJsonString() + "\n", Utf8NoBom); // no BOM: a JSONL line must parse on its own
    }

    static int? StepOf(string line)
    {
        try { return JsonNode.Parse(line)?["step"]?.GetValue<int>(); }
        catch (JsonException) { return null; } // a torn last line from a crash
    }
}
