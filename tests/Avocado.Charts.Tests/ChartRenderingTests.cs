namespace Avocado.Charts.Tests;

/// <summary>Each kind of chart rendered to a file and read back by an independent PNG decoder (python3's zlib): the
/// size asked for, the series drawn inside the plot area, and text (title, axis labels, legend) around it.</summary>
public sealed class ChartRenderingTests
{
    static PixelBox DataArea(ScottPlot.Plot plot)
    {
        var r = plot.RenderManager.LastRender.DataRect;
        return new PixelBox((int)r.Left, (int)r.Top, (int)r.Right, (int)r.Bottom);
    }

    [Fact]
    public void A_line_chart_draws_every_series_inside_the_plot_area_and_its_labels_outside()
    {
        using var dir = new TempDir();
        var chart = new LineChart { Title = "loss", XLabel = "step", YLabel = "loss" };
        chart.AddSeries("loss/ce", [.. Enumerable.Range(0, 50).Select(i => ((double)i, 5.0 / (i + 1)))]);
        chart.AddSeries("loss/kd", [.. Enumerable.Range(0, 50).Select(i => ((double)i, 2.0 + Math.Sin(i / 5.0)))]);
        var plot = chart.Build();
        var path = dir.File("loss.png");
        ChartFile.WritePng(plot, path, 640, 400);

        var png = PngReference.Decode(path);
        var area = DataArea(plot);
        Assert.Equal((640, 400), (png.Width, png.Height));
        Assert.True(png.Count(ChartColors.Series(0), area) > 50, "series 0 not drawn in the plot area");
        Assert.True(png.Count(ChartColors.Series(1), area) > 50, "series 1 not drawn in the plot area");
        Assert.True(png.CountOther(ChartColors.White, new PixelBox(0, 0, 640, area.Top)) > 100, "no title above the plot area");
        Assert.True(png.CountOther(ChartColors.White, new PixelBox(0, area.Bottom + 1, 640, 400)) > 100, "no x axis label below the plot area");
        Assert.True(png.CountOther(ChartColors.White, new PixelBox(0, 0, area.Left - 1, 400)) > 100, "no y axis label left of the plot area");
    }

    [Fact]
    public void A_log_scale_chart_leaves_out_points_it_cannot_show_and_a_fixed_range_holds()
    {
        using var dir = new TempDir();
        var log = new LineChart { Title = "loss", LogY = true };
        log.AddSeries("loss", [(0, 100), (1, 10), (2, double.NaN), (3, 0), (4, 1), (5, 0.1)]);
        log.WritePng(dir.File("log.png"));
        Assert.True(PngReference.Decode(dir.File("log.png")).Count(ChartColors.Series(0)) > 20);

        var unit = new LineChart { Title = "eval/accuracy", YMin = 0, YMax = 1 };
        unit.AddSeries("eval/accuracy", [(0, 0.2), (10, 0.4)]);
        var plot = unit.Build();
        plot.GetImageBytes(400, 300, ScottPlot.ImageFormat.Png);
        var limits = plot.Axes.GetLimits();
        Assert.Equal((0.0, 1.0), (limits.Bottom, limits.Top));
    }

    [Fact]
    public void A_bar_chart_draws_one_coloured_bar_per_series_and_category_with_a_legend()
    {
        using var dir = new TempDir();
        var chart = new BarChart(["arith_en", "arith_zh", "all"]) { Title = "accuracy", XLabel = "skill", YLabel = "accuracy", YMax = 1 };
        chart.AddSeries("teacher", [0.767, 0.033, 0.267]);
        chart.AddSeries("student", [0.717, 0.883, 0.556]);
        var plot = chart.Build();
        var path = dir.File("accuracy.png");
        ChartFile.WritePng(plot, path);

        var png = PngReference.Decode(path);
        var area = DataArea(plot);
        Assert.Equal((ChartFile.DefaultWidth, ChartFile.DefaultHeight), (png.Width, png.Height));
        int teacher = png.Count(ChartColors.Series(0), area), student = png.Count(ChartColors.Series(1), area);
        Assert.True(teacher > 500 && student > 500, $"bars too small: {teacher}, {student} pixels");
        // The student's bars are taller in sum (2.156 against 1.067): about twice the filled area.
        Assert.InRange((double)student / teacher, 1.5, 2.6);
        Assert.Throws<ArgumentException>(() => chart.AddSeries("short", [0.1]));
    }

    [Fact]
    public void A_chart_file_is_replaced_whole_and_too_small_a_size_is_refused()
    {
        using var dir = new TempDir();
        var chart = new BarChart(["a"]);
        chart.AddSeries("s", [0.5]);
        File.WriteAllText(dir.File("c.png"), "old");
        chart.WritePng(dir.File("c.png"));
        Assert.Equal(["c.png"], dir.FileNames());
        Assert.Equal(0x89, File.ReadAllBytes(dir.File("c.png"))[0]);
        Assert.Throws<ArgumentException>(() => chart.WritePng(dir.File("tiny.png"), 50, 50));
    }
}
