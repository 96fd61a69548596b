using Avocado.Distill.Plots;

namespace Avocado.Distill.Tests.Plots;

/// <summary>
/// Realistic charts rendered end to end and decoded. Set AVOCADO_PLOT_EXAMPLES to a folder to keep the PNGs and
/// look at them (the only way to judge legibility); otherwise they go to a temporary folder.
/// </summary>
public class ChartExamplesTests
{
    private static string OutputDir(TempDir temp) =>
        Environment.GetEnvironmentVariable("AVOCADO_PLOT_EXAMPLES") is { Length: > 0 } d ? Directory.CreateDirectory(d).FullName : temp.Path;

    [Fact]
    public void TrainingLossExample()
    {
        using var temp = new TempDir();
        var steps = Enumerable.Range(0, 200).Select(i => i * 50.0).ToArray();
        var chart = new LineChart { Title = "Training loss (student 0.6B)", XLabel = "step", YLabel = "loss" }
            .AddSeries("loss/total", steps, steps.Select(s => 0.9 + 3.2 * Math.Exp(-s / 1800) + 0.05 * Math.Sin(s / 90)).ToArray())
            .AddSeries("loss/ce", steps, steps.Select(s => 0.7 + 2.6 * Math.Exp(-s / 2000)).ToArray())
            .AddSeries("loss/kd_forward_kl", steps, steps.Select(s => s is > 4000 and < 5000 ? double.NaN : 0.2 + 0.6 * Math.Exp(-s / 1500)).ToArray());
        var canvas = chart.Render();
        var png = PngReference.RoundTrip(canvas, OutputDir(temp), "loss-example.png");
        Assert.True(png.Count(Palette.ForSeries(2)) > 100);

        var lr = new LineChart { Title = "Learning rate, every character: !\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~", XLabel = "step", YLabel = "lr", LogY = true }
            .AddSeries("lr", steps, steps.Select(s => s < 500 ? 3e-4 * s / 500 : 3e-4 * (0.1 + 0.9 * 0.5 * (1 + Math.Cos(Math.PI * (s - 500) / 9500)))).ToArray());
        PngReference.RoundTrip(lr.Render(), OutputDir(temp), "lr-example.png");
    }

    [Fact]
    public void AccuracyPerSkillExample()
    {
        using var temp = new TempDir();
        var chart = new BarChart(["math", "code", "reasoning", "multiple choice", "chat"])
        {
            Title = "Accuracy per skill",
            XLabel = "skill",
            YLabel = "accuracy",
            YMax = 1,
            ShowValues = true,
        };
        chart.AddSeries("student-0.6B", [0.62, 0.41, 0.55, 0.71, 0.8]);
        chart.AddSeries("qwen3-32b", [0.81, 0.66, 0.74, 0.86, 0.9]);
        chart.AddSeries("gemma3-27b", [0.77, 0.58, 0.69, 0.84, 0.92]);
        chart.AddSeries("gpt-oss-120b", [0.9, 0.74, 0.81, 0.88, double.NaN]);
        var png = PngReference.RoundTrip(chart.Render(), OutputDir(temp), "accuracy-example.png");
        for (int i = 0; i < 4; i++) Assert.True(png.Count(chart.ColorOf(i)) > 500);
    }
}
