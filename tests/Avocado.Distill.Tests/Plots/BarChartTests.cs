using Avocado.Distill.Plots;

namespace Avocado.Distill.Tests.Plots;

public class BarChartTests
{
    /// <summary>A bar as measured from the image: its first column, width, and height in its middle column.</summary>
    private sealed record MeasuredBar(int X, int Width, int Height);

    /// <summary>Finds the bars of one colour inside the plot: runs of columns holding that colour, left to right.</summary>
    private static List<MeasuredBar> MeasureBars(DecodedPng png, PixelRect plot, Rgb color)
    {
        var bars = new List<MeasuredBar>();
        int start = -1;
        for (int x = plot.X; x <= plot.Right; x++)
        {
            bool has = x < plot.Right && Enumerable.Range(plot.Y, plot.Height).Any(y => png.Pixel(x, y) == color);
            if (has && start < 0) start = x;
            if (!has && start >= 0)
            {
                int mid = (start + x - 1) / 2;
                bars.Add(new MeasuredBar(start, x - start, Enumerable.Range(plot.Y, plot.Height).Count(y => png.Pixel(mid, y) == color)));
                start = -1;
            }
        }
        return bars;
    }

    private static BarChart AccuracyChart(bool showValues = false)
    {
        var chart = new BarChart(["math", "code", "chat"]) { Title = "Accuracy per skill", YLabel = "accuracy", YMax = 1, ShowValues = showValues };
        chart.AddSeries("student", [0.9, 0.45, 0.3]);
        chart.AddSeries("qwen3-32b", [0.6, 0.15, 0.75]);
        return chart;
    }

    [Fact]
    public void BarHeightsAreProportionalToValues()
    {
        using var dir = new TempDir();
        var chart = AccuracyChart();
        var layout = chart.Layout();
        var png = PngReference.RoundTrip(chart.Render(), dir.Path);
        double pixelsPerUnit = (layout.Plot.Height - 1) / (layout.Y.Max - layout.Y.Min);
        for (int s = 0; s < chart.Series.Count; s++)
        {
            var bars = MeasureBars(png, layout.Plot, chart.ColorOf(s));
            Assert.Equal(3, bars.Count);
            for (int c = 0; c < 3; c++)
            {
                double value = chart.Series[s].Values[c];
                // A bar spans from the zero row to the value's row, both included.
                Assert.InRange(bars[c].Height, value * pixelsPerUnit, value * pixelsPerUnit + 2);
            }
            // Ratios between bars follow the values (0.9 : 0.45 is 2 : 1 for the student).
            if (s == 0) Assert.Equal(2.0, (bars[0].Height - 1.0) / (bars[1].Height - 1.0), 1);
        }
        var student = MeasureBars(png, layout.Plot, chart.ColorOf(0));
        var teacher = MeasureBars(png, layout.Plot, chart.ColorOf(1));
        for (int c = 0; c < 3; c++)
        {
            Assert.True(student[c].X < teacher[c].X, "series order inside a group: student first");
            Assert.Equal(student[c].Width, teacher[c].Width);
        }
        Assert.True(teacher[0].X < student[1].X, "groups follow the category order");
    }

    [Fact]
    public void BarRectMatchesWhatIsDrawn()
    {
        var chart = AccuracyChart();
        var canvas = chart.Render();
        var layout = chart.Layout();
        var bar = chart.BarRect(layout, category: 2, series: 1);
        Assert.Equal(bar.Width * bar.Height, canvas.Count(chart.ColorOf(1), bar));
        Assert.Equal(bar.Bottom - 1, (int)Math.Round(layout.RowOf(0)));
    }

    [Fact]
    public void LegendCategoryLabelsAndValueLabelsAreDrawn()
    {
        var chart = AccuracyChart(showValues: true);
        var canvas = chart.Render();
        var layout = chart.Layout();
        Assert.True(canvas.Count(Palette.Text, layout.Legend) > 30, "legend text");
        Assert.True(canvas.Count(chart.ColorOf(0), layout.Legend) > 0, "legend swatch");
        var below = new PixelRect(layout.Plot.X, layout.Plot.Bottom + 1, layout.Plot.Width, 20);
        Assert.True(canvas.Count(Palette.Text, below) > 60, "category labels");
        // Value labels sit just above their bars, inside the plot.
        var bar = chart.BarRect(layout, 1, 1);
        var above = new PixelRect(bar.X - 4, bar.Y - 14, bar.Width + 8, 14);
        Assert.True(canvas.Count(Palette.Text, above) > 10, "value label");
    }

    [Fact]
    public void MissingValuesHaveNoBarAndZeroIsASliver()
    {
        var chart = new BarChart(["a", "b", "c"]);
        chart.AddSeries("m", [0.5, double.NaN, 0]);
        var layout = chart.Layout();
        Assert.True(chart.BarRect(layout, 1, 0).IsEmpty);
        Assert.Equal(1, chart.BarRect(layout, 2, 0).Height);
        Assert.Equal(0.0, layout.Y.Min);
    }

    [Fact]
    public void NegativeValuesHangBelowZero()
    {
        var chart = new BarChart(["a", "b"]);
        chart.AddSeries("delta", [0.3, -0.2]);
        var layout = chart.Layout();
        Assert.True(layout.Y.Min <= -0.2 && layout.Y.Max >= 0.3);
        int zero = (int)Math.Round(layout.RowOf(0));
        Assert.Equal(zero, chart.BarRect(layout, 1, 0).Y);
        Assert.Equal(zero, chart.BarRect(layout, 0, 0).Bottom - 1);
    }

    [Fact]
    public void AnEmptyChartSaysNoData()
    {
        var chart = new BarChart([]);
        var canvas = chart.Render();
        Assert.True(canvas.Count(Palette.Text, chart.Layout().Plot) > 50);
    }

    [Fact]
    public void AWrongNumberOfValuesNamesTheCategories()
    {
        var e = Assert.Throws<ArgumentException>(() => new BarChart(["math", "code"]).AddSeries("m", [1.0]));
        Assert.Contains("math, code", e.Message);
    }
}
