using System.Globalization;
using ScottPlot;

namespace Avocado.Charts;

/// <summary>Grouped bars: one group per category (e.g. skill), one bar per series (e.g. model) in series colours,
/// with the value printed above each bar.</summary>
public sealed class BarChart(IReadOnlyList<string> categories)
{
    readonly List<(string Name, IReadOnlyList<double> Values)> series = [];

    public string Title { get; init; } = "";
    public string XLabel { get; init; } = "";
    public string YLabel { get; init; } = "";
    public double? YMax { get; init; }
    /// <summary>How a bar's value is printed above it (default: as a percentage of 1).</summary>
    public Func<double, string> ValueLabel { get; init; } = v => (v * 100).ToString("F1", CultureInfo.InvariantCulture) + "%";

    public IReadOnlyList<string> Categories => categories;

    public void AddSeries(string name, IReadOnlyList<double> values)
    {
        if (values.Count != categories.Count)
            throw new ArgumentException($"series '{name}' has {values.Count} values for {categories.Count} categories");
        series.Add((name, values));
    }

    public Plot Build()
    {
        var plot = new Plot();
        plot.Title(Title);
        plot.XLabel(XLabel);
        plot.YLabel(YLabel);
        // Group c spans [c, c + 1): its bars side by side in the middle 80 %.
        double width = 0.8 / Math.Max(1, series.Count);
        var bars = new List<Bar>();
        for (int s = 0; s < series.Count; s++)
            for (int c = 0; c < categories.Count; c++)
            {
                double value = series[s].Values[c];
                bars.Add(new Bar
                {
                    Position = c + 0.1 + width * (s + 0.5),
                    Value = double.IsFinite(value) ? value : 0,
                    Size = width * 0.9,
                    FillColor = ChartFile.SeriesColor(s),
                    Label = double.IsFinite(value) ? ValueLabel(value) : "n/a",
                });
            }
        var plotted = plot.Add.Bars(bars);
        plotted.ValueLabelStyle.FontSize = series.Count > 4 ? 9 : 11;
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            [.. Enumerable.Range(0, categories.Count).Select(c => c + 0.5)], [.. categories]);
        for (int s = 0; s < series.Count; s++)
            plot.Legend.ManualItems.Add(new LegendItem { LabelText = series[s].Name, FillColor = ChartFile.SeriesColor(s) });
        plot.ShowLegend(Alignment.UpperRight);
        double top = series.Count == 0 ? 1 : series.SelectMany(v => v.Values).Where(double.IsFinite).DefaultIfEmpty(1).Max();
        // Room above the tallest bar for its label and the legend.
        plot.Axes.SetLimits(0, Math.Max(1, categories.Count), 0, Math.Max(YMax ?? top, top) * 1.25);
        return plot;
    }

    public void WritePng(string path, int width = ChartFile.DefaultWidth, int height = ChartFile.DefaultHeight) =>
        ChartFile.WritePng(Build(), path, width, height);
}
