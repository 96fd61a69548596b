using Avocado.Distill.Plots;

namespace Avocado.Distill.Tests.Plots;

public class LineChartTests
{
    private static readonly double[] Steps = Enumerable.Range(0, 41).Select(i => i * 25.0).ToArray();

    /// <summary>The topmost row in the columns [x0, x1) of the plot that has the colour, or -1.</summary>
    private static int TopRow(DecodedPng png, PixelRect plot, int x0, int x1, Rgb color)
    {
        for (int y = plot.Y; y < plot.Bottom; y++)
            for (int x = x0; x < x1; x++)
                if (png.Pixel(x, y) == color) return y;
        return -1;
    }

    private static int CountOutside(DecodedPng png, Rgb color, params PixelRect[] allowed)
    {
        int n = 0;
        for (int y = 0; y < png.Height; y++)
            for (int x = 0; x < png.Width; x++)
                if (png.Pixel(x, y) == color && !allowed.Any(r => r.Contains(x, y))) n++;
        return n;
    }

    [Fact]
    public void TwoSeriesShowInTheirColoursWithTheHigherOneAbove()
    {
        using var dir = new TempDir();
        // "low" is added first, so a mix-up between series order and height cannot pass by chance.
        var chart = new LineChart { Title = "Two series", XLabel = "step", YLabel = "loss" }
            .AddSeries("low", Steps, Steps.Select(s => 1 + 0.001 * s).ToArray())
            .AddSeries("high", Steps, Steps.Select(s => 3 - 0.0005 * s).ToArray());
        var layout = chart.Layout();
        var png = PngReference.RoundTrip(chart.Render(), dir.Path);
        Rgb low = chart.ColorOf(0), high = chart.ColorOf(1);
        Assert.NotEqual(low, high);
        var plot = layout.Plot;
        Assert.True(png.Count(low, plot) > 200, "the low series is missing from the plot");
        Assert.True(png.Count(high, plot) > 200, "the high series is missing from the plot");

        int right = plot.Right - 20;
        int lowRow = TopRow(png, plot, right, plot.Right, low), highRow = TopRow(png, plot, right, plot.Right, high);
        Assert.True(highRow >= 0 && lowRow >= 0, $"rows: high {highRow}, low {lowRow}");
        Assert.True(highRow < lowRow, $"the higher series should be drawn above: high at row {highRow}, low at row {lowRow}");
        // And where the axes say: y = 2 (low) and y = 2.5 (high) at step 1000.
        Assert.InRange(lowRow, layout.RowOf(2) - 4, layout.RowOf(2) + 2);
        Assert.InRange(highRow, layout.RowOf(2.5) - 4, layout.RowOf(2.5) + 2);

        // Legend: both swatches and some text, first series on top; no series pixels elsewhere (clipping works).
        Assert.True(png.Count(Palette.Text, layout.Legend) > 30, "legend text is missing");
        Assert.True(TopRow(png, layout.Legend, layout.Legend.X, layout.Legend.Right, low) < TopRow(png, layout.Legend, layout.Legend.X, layout.Legend.Right, high));
        Assert.Equal(0, CountOutside(png, low, plot, layout.Legend));
        Assert.Equal(0, CountOutside(png, high, plot, layout.Legend));
        // Title, tick labels and axis labels are drawn outside the plot.
        Assert.True(png.Count(Palette.Text) - png.Count(Palette.Text, plot) - png.Count(Palette.Text, layout.Legend) > 300);
    }

    [Fact]
    public void LogScaleSkipsNonPositiveAndNonFiniteValues()
    {
        using var dir = new TempDir();
        var chart = new LineChart { Title = "log", LogY = true }
            .AddSeries("kd", [(0, -1), (1, 0), (2, 0.01), (3, 0.1), (4, double.NaN), (5, 1), (6, double.PositiveInfinity), (7, 10), (8, 5)])
            .AddSeries("never positive", [(0, -3), (1, 0)]);
        var layout = chart.Layout();
        Assert.True(layout.Y.IsLog);
        Assert.Equal((0.01, 10.0), (layout.Y.Min, layout.Y.Max));
        Assert.Equal((2.0, 8.0), (layout.X!.Ticks.Min(), layout.X.Ticks.Max()));
        var png = PngReference.RoundTrip(chart.Render(), dir.Path);
        Rgb kd = chart.ColorOf(0);
        Assert.Equal(kd, png.Pixel((int)Math.Round(layout.ColumnOf(2)), (int)Math.Round(layout.RowOf(0.01))));
        Assert.Equal(kd, png.Pixel((int)Math.Round(layout.ColumnOf(7)), (int)Math.Round(layout.RowOf(10))));
        Assert.Equal(0, png.Count(chart.ColorOf(1), layout.Plot));
    }

    [Fact]
    public void AllNonPositiveOnALogScaleSaysSo()
    {
        var chart = new LineChart { LogY = true }.AddSeries("zero", [(0, 0), (1, -2)]);
        var canvas = chart.Render();
        var layout = chart.Layout();
        Assert.Equal((1.0, 10.0), (layout.Y.Min, layout.Y.Max));
        Assert.True(canvas.Count(Palette.Text, layout.Plot) > 50, "no 'no data' message");
    }

    [Fact]
    public void AnEmptyChartDrawsAxesAndNoData()
    {
        using var dir = new TempDir();
        var chart = new LineChart { Title = "empty", XLabel = "step", YLabel = "loss" };
        var layout = chart.Layout();
        var png = PngReference.RoundTrip(chart.Render(), dir.Path);
        Assert.True(png.Count(Palette.Text, layout.Plot) > 50, "the 'no data' message is missing");
        Assert.True(png.Count(Palette.Axis) > layout.Plot.Width + layout.Plot.Height, "the axis lines are missing");
        Assert.All(Palette.Series, c => Assert.Equal(0, png.Count(c)));
        Assert.True(layout.Legend.IsEmpty);
    }

    [Fact]
    public void OnePointGetsAMarkerInTheMiddle()
    {
        var chart = new LineChart().AddSeries("one", [(5, 2)]);
        var canvas = chart.Render();
        var layout = chart.Layout();
        Assert.Equal(25, canvas.Count(chart.ColorOf(0), layout.Plot));
        Assert.InRange(layout.X!.Fraction(5), 0.3, 0.7);
        Assert.InRange(layout.Y.Fraction(2), 0.3, 0.7);
    }

    [Fact]
    public void AConstantSeriesIsAFlatLineInsideAPaddedRange()
    {
        var chart = new LineChart().AddSeries("flat", Steps, Steps.Select(_ => 2.5).ToArray());
        var canvas = chart.Render();
        var layout = chart.Layout();
        Assert.True(layout.Y.Min < 2.5 && layout.Y.Max > 2.5);
        int row = (int)Math.Round(layout.RowOf(2.5));
        int mid = layout.Plot.X + layout.Plot.Width / 2;
        Assert.Equal(chart.ColorOf(0), canvas.GetPixel(mid, row));
        Assert.Equal(chart.ColorOf(0), canvas.GetPixel(mid, row + 1)); // 2-pixel line
        Assert.NotEqual(chart.ColorOf(0), canvas.GetPixel(mid, row + 2));
    }

    [Fact]
    public void NaNPointsBreakTheLine()
    {
        var xs = Enumerable.Range(0, 60).Select(i => (double)i).ToArray();
        var ys = xs.Select(x => x is >= 20 and < 40 ? double.NaN : 1.0).ToArray();
        var chart = new LineChart { YMin = 0, YMax = 2 }.AddSeries("gappy", xs, ys);
        var canvas = chart.Render();
        var layout = chart.Layout();
        int row = (int)Math.Round(layout.RowOf(1));
        Rgb c = chart.ColorOf(0);
        Assert.Equal(c, canvas.GetPixel((int)Math.Round(layout.ColumnOf(10)), row));
        Assert.Equal(c, canvas.GetPixel((int)Math.Round(layout.ColumnOf(50)), row));
        Assert.NotEqual(c, canvas.GetPixel((int)Math.Round(layout.ColumnOf(29.5)), row));
        Assert.NotEqual(c, canvas.GetPixel((int)Math.Round(layout.ColumnOf(21)), row));
    }

    [Fact]
    public void DataOutsideAFixedRangeIsClippedToThePlot()
    {
        var chart = new LineChart { YMin = 0, YMax = 1 }.AddSeries("wild", [(0, 0.5), (1, 1e9), (2, -1e12), (3, 0.5)]);
        var canvas = chart.Render();
        var layout = chart.Layout();
        int inside = canvas.Count(chart.ColorOf(0), layout.Plot);
        Assert.True(inside > 100);
        Assert.Equal(inside, canvas.Count(chart.ColorOf(0), canvas.Bounds) - canvas.Count(chart.ColorOf(0), layout.Legend));
    }

    [Fact]
    public void MisuseFailsWithAHint()
    {
        var e = Assert.Throws<ArgumentException>(() => new LineChart().AddSeries("s", [1.0, 2.0], [1.0]));
        Assert.Contains("'s'", e.Message);
        var small = Assert.Throws<ArgumentOutOfRangeException>(() => new LineChart().Render(50, 50));
        Assert.Contains("at least", small.Message);
    }
}
