using System.Buffers.Binary;
using System.Text.Json;
using Avocado.Eval;
using Avocado.Charts;
using Avocado.Data.Prompts;

namespace Avocado.Eval.Tests;

public class EvalReportWriterTests
{
    static async Task<(EvalReport Report, EvalReportFiles Files)> Write(TempDir dir)
    {
        var prompts = PromptReader.ReadFile(Bench.WriteJsonl(dir.Path));
        var report = await EvalRunner.RunAsync([ScriptedTeacher.Model(Bench.Oracle()), ScriptedTeacher.Model(Bench.Mixed())], prompts,
            new EvalOptions { Samples = 3, PassK = 2, Seed = 5, MaxTokens = 64 });
        return (report, EvalReportWriter.Write(report, Path.Combine(dir.Path, "out")));
    }

    [Fact]
    public async Task Report_json_holds_the_settings_and_exact_numbers()
    {
        using var dir = new TempDir();
        var (_, files) = await Write(dir);
        Assert.Equal(Path.Combine(dir.Path, "out", "report.json"), files.Json);
        using var doc = JsonDocument.Parse(File.ReadAllText(files.Json));
        var root = doc.RootElement;
        Assert.Equal(3, root.GetProperty("samples").GetInt32());
        Assert.Equal(2, root.GetProperty("pass_k").GetInt32());
        Assert.Equal(0.7, root.GetProperty("temperature").GetDouble());
        Assert.Equal(64, root.GetProperty("max_tokens").GetInt32());
        Assert.Equal(5, root.GetProperty("seed").GetInt64());
        Assert.Equal(6, root.GetProperty("prompts").GetInt32());
        Assert.Equal(["math", "trivia", "all"], root.GetProperty("skills").EnumerateArray().Select(s => s.GetString()));
        Assert.False(root.TryGetProperty("answers", out _)); // they go to answers.jsonl

        var rows = root.GetProperty("rows").EnumerateArray().ToList();
        Assert.Equal(6, rows.Count);
        JsonElement Row(string model, string skill) =>
            rows.Single(r => r.GetProperty("model").GetString() == model && r.GetProperty("skill").GetString() == skill);
        var math = Row("mixed", "math");
        Assert.Equal(4, math.GetProperty("prompts").GetInt32());
        Assert.Equal(12, math.GetProperty("answers").GetInt32());
        Assert.Equal(6, math.GetProperty("correct").GetInt32());
        Assert.Equal(3, math.GetProperty("no_answer").GetInt32());
        Assert.Equal(0.5, math.GetProperty("accuracy").GetDouble());
        Assert.Equal(2.0 / 3, math.GetProperty("pass_at_k").GetDouble(), 12);
        Assert.Equal(21, math.GetProperty("mean_completion_tokens").GetDouble());
        Assert.Equal(400, math.GetProperty("latency_p50_ms").GetDouble());
        Assert.Equal(600, math.GetProperty("latency_p95_ms").GetDouble());
        Assert.Equal(11.0 / 18, Row("mixed", "all").GetProperty("pass_at_k").GetDouble(), 12);
        Assert.Equal(1.0, Row("oracle", "trivia").GetProperty("accuracy").GetDouble());
        Assert.Equal(11, Row("oracle", "all").GetProperty("mean_completion_tokens").GetDouble());

        // It reads back as the same report.
        var back = EvalReportWriter.Read(files.Json);
        Assert.Equal(2.0 / 3, back.Row("mixed", "math").PassAtK, 12);
        Assert.Equal(["oracle", "mixed"], back.Models);
    }

    [Fact]
    public async Task Answers_jsonl_has_one_verified_line_per_answer()
    {
        using var dir = new TempDir();
        var (_, files) = await Write(dir);
        var lines = File.ReadAllLines(files.Answers).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(2 * 6 * 3, lines.Count);
        var m3 = lines.Where(l => l.GetProperty("model").GetString() == "mixed" && l.GetProperty("prompt_id").GetString() == "m3").ToList();
        Assert.All(m3, l => Assert.Equal("no_answer", l.GetProperty("verdict").GetString()));
        var m2 = lines.Where(l => l.GetProperty("model").GetString() == "mixed" && l.GetProperty("prompt_id").GetString() == "m2")
            .Select(l => (l.GetProperty("sample").GetInt32(), l.GetProperty("verdict").GetString(), l.GetProperty("extracted").GetString())).ToList();
        Assert.Equal([(0, "correct", "6"), (1, "incorrect", "1000"), (2, "incorrect", "1000")], m2);
        Assert.Empty(Directory.EnumerateFiles(Path.GetDirectoryName(files.Json)!, "*.tmp")); // written atomically, nothing left behind
    }

    [Fact]
    public async Task Report_md_has_a_table_per_metric_with_the_best_per_skill_in_bold()
    {
        using var dir = new TempDir();
        var (_, files) = await Write(dir);
        var md = File.ReadAllText(files.Markdown);
        Assert.Contains("6 prompts, 3 sample(s) per prompt, temperature 0.7, max 64 tokens, seed 5", md);
        Assert.Contains("## Accuracy (mean over all samples)\n\n| model | math | trivia | all |\n|---|---:|---:|---:|\n"
                        + "| oracle | **100.0%** | **100.0%** | **100.0%** |\n| mixed | 50.0% | 50.0% | 50.0% |\n", md);
        Assert.Contains("## pass@2 (unbiased estimator, n = 3)", md);
        Assert.Contains("| mixed | 66.7% | 50.0% | 61.1% |", md);
        Assert.Contains("## Completion tokens per answer (mean)", md);
        Assert.Contains("| oracle | 11 | 11 | 11 |", md); // costs are not bolded
        Assert.Contains("| mixed | 400 ms / 600 ms | 400 ms / 600 ms | 400 ms / 600 ms |", md);
        Assert.Contains("| mixed | 25.0% | 0.0% | 16.7% |", md); // no answer: m3's 3 of 12, none of 6, 3 of 18
    }

    [Fact]
    public async Task Accuracy_png_is_a_grouped_bar_chart_of_skills_by_models()
    {
        using var dir = new TempDir();
        var (report, files) = await Write(dir);
        var bytes = File.ReadAllBytes(files.Chart);
        Assert.Equal(new byte[] { 137, 80, 78, 71, 13, 10, 26, 10 }, bytes[..8]);
        Assert.Equal("IHDR", System.Text.Encoding.ASCII.GetString(bytes, 12, 4));
        Assert.Equal((ChartFile.DefaultWidth, ChartFile.DefaultHeight),
            (BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(16)), BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(20))));

        // Decoded independently: oracle's bars (accuracy 1) cover twice the area of mixed's (0.5) in every group.
        var png = PngReference.Decode(files.Chart);
        var chart = EvalReportWriter.AccuracyChart(report);
        Assert.Equal(["math", "trivia", "all"], chart.Categories);
        Rgb Color(int series) { var c = ChartFile.SeriesColor(series); return new Rgb(c.R, c.G, c.B); }
        int oracle = png.Count(Color(0)), mixed = png.Count(Color(1));
        // Mixed scores 50 % in every group, oracle 100 %: twice the filled area (legend swatches aside).
        Assert.InRange((double)oracle / mixed, 1.85, 2.15);
    }
}
