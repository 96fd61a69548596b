using Avocado.Common.Files;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Avocado.Charts;

namespace Avocado.Eval;

/// <summary>Where <see cref="EvalReportWriter.Write"/> put the report.</summary>
public sealed record EvalReportFiles(string Json, string Markdown, string Chart, string Answers);

/// <summary>
/// Writes a report into a folder: <c>report.json</c> (settings and rows, snake_case), <c>report.md</c>
/// (<see cref="EvalMarkdown"/>), <c>accuracy.png</c> (grouped bars: skills and "all" × models) and
/// <c>answers.jsonl</c> (every answer as verified). Each file is written to a temporary name and renamed, so a reader
/// or a crash never sees half a file.
/// </summary>
public static class EvalReportWriter
{
    public const string JsonFile = "report.json", MarkdownFile = "report.md", ChartFile = "accuracy.png", AnswersFile = "answers.jsonl";

    public static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    static readonly JsonSerializerOptions JsonLine = new(Json) { WriteIndented = false };

    public static EvalReportFiles Write(EvalReport report, string outDir)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentException.ThrowIfNullOrEmpty(outDir);
        Directory.CreateDirectory(outDir);
        var files = new EvalReportFiles(Path.Combine(outDir, JsonFile), Path.Combine(outDir, MarkdownFile),
            Path.Combine(outDir, ChartFile), Path.Combine(outDir, AnswersFile));
        WriteAtomically(files.Json, JsonSerializer.SerializeToUtf8Bytes(report, Json));
        WriteAtomically(files.Markdown, Encoding.UTF8.GetBytes(EvalMarkdown.Format(report)));
        var answers = new StringBuilder();
        foreach (var a in report.Answers) answers.Append(JsonSerializer.Serialize(a, JsonLine)).Append('\n');
        WriteAtomically(files.Answers, Encoding.UTF8.GetBytes(answers.ToString()));
        AccuracyChart(report).WritePng(files.Chart);
        return files;
    }

    /// <summary>Reads a report.json back (answers are not in it).</summary>
    public static EvalReport Read(string path) =>
        JsonSerializer.Deserialize<EvalReport>(File.ReadAllBytes(path), Json) ?? throw new InvalidDataException($"{path}: not an eval report");

    /// <summary>One group of bars per skill (then "all"), one bar per model, accuracy on a 0–1 axis.</summary>
    public static BarChart AccuracyChart(EvalReport report)
    {
        var chart = new BarChart(report.Skills)
        {
            Title = $"Accuracy per skill ({report.Prompts} prompts x {report.Samples} sample{(report.Samples == 1 ? "" : "s")})",
            XLabel = "skill",
            YLabel = "accuracy",
            YMax = 1,
        };
        foreach (var model in report.Models)
            chart.AddSeries(model, report.Skills.Select(s => report.Row(model, s).Accuracy).ToList());
        return chart;
    }

    static void WriteAtomically(string path, byte[] bytes) => AtomicFile.WriteAllBytes(path, bytes);
}
