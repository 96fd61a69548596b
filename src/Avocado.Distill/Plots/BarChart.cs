using System.Globalization;

namespace Avocado.Distill.Plots;

/// <summary>One named set of bars, one value per category (NaN: no bar, e.g. a model not evaluated on a skill).</summary>
public sealed record BarSeries(string Name, IReadOnlyList<double> Values, Rgb? Color = null);

/// <summary>
/// Grouped bars: one group per category (e.g. skill), one bar per series (e.g. model) inside each group, in series
/// order, with a legend. Bars start at zero; the y axis goes from min(0, smallest value) to the nice ceiling of the
/// largest value, or to <see cref="YMax"/> (1 for accuracies) when set.
/// </summary>
public sealed class BarChart : Chart
{
    private readonly List<BarSeries> _series = [];

    public BarChart(IReadOnlyList<string> categories)
    {
        ArgumentNullException.ThrowIfNull(categories);
        Categories = categories.ToArray();
    }

    public IReadOnlyList<string> Categories { get; }
    public IReadOnlyList<BarSeries> Series => _series;

    /// <summary>Fixed top of the y axis; null: from the data.</summary>
    public double? YMax { get; init; }

    /// <summary>Write each bar's value above it (turned vertical when bars are narrower than the label).</summary>
    public bool ShowValues { get; init; }

    /// <summary>.NET number format of the value labels (invariant culture).</summary>
    public string ValueFormat { get; init; } = "0.##";

    public BarChart AddSeries(string name, IReadOnlyList<double> values, Rgb? color = null)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (values.Count != Categories.Count)
            throw new ArgumentException($"series '{name}' has {values.Count} values for {Categories.Count} categories ({string.Join(", ", Categories)}); give one value per category (NaN where missing)", nameof(values));
        if (values.Any(double.IsInfinity)) throw new ArgumentException($"series '{name}' has an infinite value; bars need finite values (NaN for missing)", nameof(values));
        _series.Add(new BarSeries(name, values.ToArray(), color));
        return this;
    }

    public Rgb ColorOf(int index) => _series[index].Color ?? Palette.ForSeries(index);

    public override ChartLayout Layout(int width = DefaultWidth, int height = DefaultHeight)
    {
        var (top, bottom) = ChartFrame.PlotRows(this, width, height);
        var values = _series.SelectMany(s => s.Values).Where(double.IsFinite).ToList();
        double lo = Math.Min(0, values.Count == 0 ? 0 : values.Min());
        double hi = YMax ?? Math.Max(0, values.Count == 0 ? 0 : values.Max());
        if (hi <= lo) hi = lo + 1; // all zero (or nothing): still show a 0..1 axis rather than one padded around 0
        var y = NiceTicks.Linear(lo, hi, ChartFrame.TargetTicks(bottom - top, 50));
        var (plot, legend) = ChartFrame.Arrange(this, width, height, y, _series.Select(s => s.Name).ToList());
        return new ChartLayout(width, height, plot, legend, X: null, y);
    }

    /// <summary>The pixels of one bar (empty for a NaN value). Zero-valued bars are one pixel tall, so "0" differs from "missing".</summary>
    public PixelRect BarRect(ChartLayout layout, int category, int series)
    {
        var plot = layout.Plot;
        double value = _series[series].Values[category];
        if (!double.IsFinite(value)) return default;
        var (groupX, _) = Group(plot, category);
        int barWidth = BarWidth(plot);
        int x = groupX + GroupPadding(plot) + series * barWidth;
        int baseRow = (int)Math.Round(layout.RowOf(Math.Clamp(0, layout.Y.Min, layout.Y.Max)));
        int valueRow = (int)Math.Round(Math.Clamp(layout.RowOf(value), plot.Y, plot.Bottom - 1));
        return new PixelRect(x, Math.Min(baseRow, valueRow), barWidth, Math.Abs(baseRow - valueRow) + 1);
    }

    public override Canvas Render(int width = DefaultWidth, int height = DefaultHeight)
    {
        var layout = Layout(width, height);
        var plot = layout.Plot;
        var canvas = new Canvas(width, height, Palette.Background);
        ChartFrame.DrawYAxis(canvas, layout, TextScale);
        if (Categories.Count == 0 || _series.Count == 0 || _series.All(s => s.Values.All(double.IsNaN)))
            ChartFrame.DrawMessage(canvas, plot, "no data", TextScale);

        canvas.Clip = plot;
        for (int c = 0; c < Categories.Count; c++)
            for (int s = 0; s < _series.Count; s++)
            {
                var bar = BarRect(layout, c, s);
                canvas.FillRect(bar.X, bar.Y, bar.Width, bar.Height, ColorOf(s));
            }
        canvas.Clip = null;
        if (ShowValues) DrawValues(canvas, layout);

        for (int c = 0; c < Categories.Count; c++)
        {
            var (groupX, groupWidth) = Group(plot, c);
            string label = Canvas.FitText(Categories[c], groupWidth - 2, TextScale);
            canvas.DrawText(groupX + (groupWidth - BitmapFont.MeasureText(label, TextScale)) / 2,
                plot.Bottom + 1 + ChartFrame.TickLength + ChartFrame.Pad / 2, label, Palette.Text, TextScale);
            if (c > 0) canvas.FillRect(groupX, plot.Bottom + 1, 1, ChartFrame.TickLength, Palette.Axis);
        }
        ChartFrame.DrawFrameAndLabels(canvas, this, layout);
        ChartFrame.DrawLegend(canvas, layout, _series.Select(s => s.Name).ToList(), _series.Select((_, i) => ColorOf(i)).ToList(), TextScale);
        return canvas;
    }

    private void DrawValues(Canvas canvas, ChartLayout layout)
    {
        int th = BitmapFont.TextHeight(TextScale), barWidth = BarWidth(layout.Plot);
        var labels = _series.Select(s => s.Values.Select(v => v.ToString(ValueFormat, CultureInfo.InvariantCulture)).ToArray()).ToArray();
        int widest = labels.SelectMany(l => l).Select(l => BitmapFont.MeasureText(l, TextScale)).DefaultIfEmpty(0).Max();
        // Horizontal labels when they fit over their bar; otherwise vertical ones when the bar is one text line wide.
        // One blank pixel must stay between neighbouring labels, which are centred on bars that touch.
        bool horizontal = widest <= barWidth - 1;
        if (!horizontal && th > barWidth) return;
        for (int c = 0; c < Categories.Count; c++)
            for (int s = 0; s < _series.Count; s++)
            {
                double value = _series[s].Values[c];
                if (!double.IsFinite(value)) continue;
                var bar = BarRect(layout, c, s);
                string text = labels[s][c];
                int w = BitmapFont.MeasureText(text, TextScale);
                int boxW = horizontal ? w : th, boxH = horizontal ? th : w;
                int x = bar.X + (bar.Width - boxW) / 2;
                int top = value >= 0 ? bar.Y - 2 - boxH : bar.Bottom + 2;
                // Keep labels inside the plot; where that puts one over its bar, a white box keeps it legible.
                int inside = Math.Clamp(top, layout.Plot.Y + 1, layout.Plot.Bottom - 1 - boxH);
                if (inside != top) canvas.FillRect(x - 1, inside - 1, boxW + 2, boxH + 2, Palette.Background);
                top = inside;
                if (horizontal) canvas.DrawText(x, top, text, Palette.Text, TextScale);
                else canvas.DrawTextVertical(x, top, text, Palette.Text, TextScale);
            }
    }

    private (int X, int Width) Group(PixelRect plot, int category)
    {
        int x0 = plot.X + (int)Math.Round((double)plot.Width * category / Categories.Count);
        int x1 = plot.X + (int)Math.Round((double)plot.Width * (category + 1) / Categories.Count);
        return (x0, x1 - x0);
    }

    // A tenth of each group stays empty on either side, separating the groups.
    private int GroupPadding(PixelRect plot) => Math.Max(1, plot.Width / Math.Max(1, Categories.Count) / 10);

    private int BarWidth(PixelRect plot) =>
        Math.Max(1, (plot.Width / Math.Max(1, Categories.Count) - 2 * GroupPadding(plot)) / Math.Max(1, _series.Count));
}
