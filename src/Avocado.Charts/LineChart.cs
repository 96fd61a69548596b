using ScottPlot;

namespace Avocado.Charts;

/// <summary>Series of (x, y) points against a shared x axis: training curves. Non-finite points are left out (a
/// diverged step shows as a gap between the points around it, not as a spike to infinity).</summary>
public sealed class LineChart
{
    readonly List<(string Name, IReadOnlyList<(double X, double Y)> Points)> series = [];

    public string Title { get; init; } = "";
    public string XLabel { get; init; } = "";
    public string YLabel { get; init; } = "";
    /// <summary>Log₁₀ y axis (ticks at powers of ten); every finite value must then be positive.</summary>
    public bool LogY { get; init; }
    public double? YMin { get; init; }
    public double? YMax { get; init; }

    public IReadOnlyList<string> SeriesNames => [.. series.Select(s => s.Name)];

    public void AddSeries(string name, IReadOnlyList<(double X, double Y)> points) => series.Add((name, points));

    public Plot Build()
    {
        var plot = new Plot();
        plot.Title(Title);
        plot.XLabel(XLabel);
        plot.YLabel(LogY ? YLabel + " (log scale)" : YLabel);
        for (int i = 0; i < series.Count; i++)
        {
            var kept = series[i].Points.Where(p => double.IsFinite(p.X) && double.IsFinite(p.Y) && (!LogY || p.Y > 0)).ToArray();
            var line = plot.Add.ScatterLine(kept.Select(p => p.X).ToArray(), kept.Select(p => LogY ? Math.Log10(p.Y) : p.Y).ToArray(),
                ChartFile.SeriesColor(i));
            line.LegendText = series[i].Name;
            line.LineWidth = 2;
        }
        if (LogY)
        {
            plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic
            {
                MinorTickGenerator = new ScottPlot.TickGenerators.LogMinorTickGenerator(),
                IntegerTicksOnly = true,
                LabelFormatter = y => Math.Pow(10, y).ToString("G3", System.Globalization.CultureInfo.InvariantCulture),
            };
        }
        else if (YMin is not null || YMax is not null)
        {
            plot.Axes.AutoScale();
            var limits = plot.Axes.GetLimits();
            plot.Axes.SetLimitsY(YMin ?? limits.Bottom, YMax ?? limits.Top);
        }
        plot.ShowLegend(Alignment.UpperRight);
        return plot;
    }

    public void WritePng(string path, int width = ChartFile.DefaultWidth, int height = ChartFile.DefaultHeight) =>
        ChartFile.WritePng(Build(), path, width, height);
}
