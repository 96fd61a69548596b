namespace Avocado.Charts.Tests;

public class MetricsPlotterTests
{
    // Hand-written like a trainer's metrics.jsonl: keys come and go, some values are not numbers, a nested object,
    // a non-finite loss written as a string, and a torn last line (the trainer was still writing it).
    private const string Metrics = """
        {"step": 0, "tokens": 0, "loss/total": 9.0, "loss/ce": 8.5, "lr": 0.0, "grad_norm": 3.2}
        {"step": 10, "tokens": 1280, "loss/total": 4.1, "loss/ce": 3.9, "loss/kd_forward_kl": 0.2, "lr": 0.0005, "grad_norm": 1.1, "note": "warmup", "flag": true, "hist": [1, 2]}

        {"step": 20, "tokens": 2560, "loss/total": "NaN", "lr": 0.001, "comment": null}
        {"step": 30, "tokens": 3840, "loss/total": 2.0, "loss/ce": 1.8, "loss/kd_forward_kl": 0.15, "lr": 0.001, "grad_norm": 0.9, "eval/accuracy": 0.42, "eval/math exact": 0.3, "throughput/tok_per_s": 5100.5}
        {"step": 40, "loss": 1.9, "eval": {"accuracy": 0.5}, "epoch": 1}
        {"step": 50, "loss/total": 1.7, "lr": 0.0009, "gra
        """;

    [Fact]
    public void WritesOnePlotPerMetricGroup()
    {
        using var dir = new TempDir();
        string jsonl = Path.Combine(dir.Path, "metrics.jsonl");
        File.WriteAllText(jsonl, Metrics);
        string outDir = Path.Combine(dir.Path, "plots");
        var written = MetricsPlotter.WriteLossPlots(jsonl, outDir);

        Assert.Equal(["loss.png", "lr.png", "grad_norm.png", "eval_accuracy.png", "eval_math_exact.png", "throughput.png", "epoch.png"],
            written.Select(p => Path.GetFileName(p)));
        Assert.Equal(written.Order(), Directory.GetFiles(outDir).Select(Path.GetFullPath).Order());
        foreach (string path in written)
        {
            var png = PngReference.Decode(path);
            Assert.Equal((ChartFile.DefaultWidth, ChartFile.DefaultHeight), (png.Width, png.Height));
            Assert.True(png.Count(ChartColors.Series(0)) > 0, $"{Path.GetFileName(path)} shows no series");
        }
        // loss.png holds four series: loss/total, loss/ce, loss/kd_forward_kl and the bare "loss".
        var loss = PngReference.Decode(written[0]);
        for (int i = 0; i < 4; i++) Assert.True(loss.Count(ChartColors.Series(i)) > 0, $"loss series {i} is missing");
        Assert.Equal(0, loss.Count(ChartColors.Series(4)));
    }

    [Fact]
    public void ReadingKeepsNumbersFlattensObjectsAndSkipsTheRest()
    {
        using var dir = new TempDir();
        string jsonl = Path.Combine(dir.Path, "metrics.jsonl");
        File.WriteAllText(jsonl, Metrics);
        var log = MetricsSeries.Read(jsonl);
        Assert.Equal(["loss/total", "loss/ce", "lr", "grad_norm", "loss/kd_forward_kl", "eval/accuracy", "eval/math exact", "throughput/tok_per_s", "loss", "epoch"], log.Keys);
        Assert.Equal([(0.0, 9.0), (10.0, 4.1), (20.0, double.NaN), (30.0, 2.0)], log["loss/total"]);
        Assert.Equal([(30.0, 0.42), (40.0, 0.5)], log["eval/accuracy"]);
        Assert.Equal(4, log["lr"].Count); // the torn line's lr is not read
    }

    [Fact]
    public void EveryKeyButStepAndTokensLandsInExactlyOneGroup()
    {
        string[] keys = ["step", "tokens", "loss/total", "lr", "grad_norm", "eval/accuracy", "eval/a b", "eval/a_b", "loss", "misc/x", "misc/y", "z"];
        var groups = MetricsPlotter.Groups(keys);
        var plotted = groups.SelectMany(g => g.Keys).ToList();
        Assert.Equal(keys.Except(["step", "tokens"]).Order(), plotted.Order());
        Assert.Equal(["loss.png", "lr.png", "grad_norm.png", "eval_accuracy.png", "eval_a_b.png", "eval_a_b_2.png", "misc.png", "z.png"], groups.Select(g => g.FileName));
        Assert.Equal(["misc/x", "misc/y"], groups.Single(g => g.FileName == "misc.png").Keys);
    }

    [Fact]
    public void AMalformedLineInTheMiddleFailsWithItsLineNumber()
    {
        using var dir = new TempDir();
        string jsonl = Path.Combine(dir.Path, "metrics.jsonl");
        File.WriteAllText(jsonl, "{\"step\": 1, \"lr\": 1}\n{oops\n{\"step\": 2, \"lr\": 2}\n");
        var e = Assert.Throws<InvalidDataException>(() => MetricsPlotter.WriteLossPlots(jsonl, dir.Path));
        Assert.Contains("metrics.jsonl:2", e.Message);
    }

    [Fact]
    public void LinesWithoutAStepFollowThePreviousOne()
    {
        using var dir = new TempDir();
        string jsonl = Path.Combine(dir.Path, "metrics.jsonl");
        File.WriteAllText(jsonl, "{\"lr\": 1}\n{\"lr\": 2}\n{\"step\": 10, \"lr\": 3}\n{\"lr\": 4}\n");
        Assert.Equal([0.0, 1, 10, 11], MetricsSeries.Read(jsonl)["lr"].Select(p => p.Step));
    }

    [Fact]
    public void AnEmptyFileWritesNothingAndAMissingFileIsNamed()
    {
        using var dir = new TempDir();
        string jsonl = Path.Combine(dir.Path, "metrics.jsonl");
        File.WriteAllText(jsonl, "");
        Assert.Empty(MetricsPlotter.WriteLossPlots(jsonl, Path.Combine(dir.Path, "out")));
        var e = Assert.Throws<FileNotFoundException>(() => MetricsPlotter.WriteLossPlots(Path.Combine(dir.Path, "nope.jsonl"), dir.Path));
        Assert.Contains("nope.jsonl", e.Message);
    }
}
