namespace Avocado.Distill.Plots;

/// <summary>One named line: its points in drawing order, and its colour (null: the palette colour of its index).</summary>
public sealed record LineSeries(string Name, IReadOnlyList<(double X, double Y)> Points, Rgb? Color = null);

/// <summary>
/// Lines of (x, y) points against numeric axes with nice ticks, optional log-scale y, and a legend. Points that
/// cannot be shown (NaN, ±∞, or y ≤ 0 on a log axis) are skipped and break the line, so a gap in the data shows as
/// a gap. A point with no drawn neighbour gets a marker so it is still visible; short series get markers throughout.
/// </summary>
public sealed class LineChart : Chart
{
    /// <summary>Series with at most this many points get a marker on every point.</summary>
    public const int MarkerAllBelow = 24;

    private readonly List<LineSeries> _series = [];

    public IReadOnlyList<LineSeries> Series => _series;

    /// <summary>Base-10 log y axis; values ≤ 0 are skipped.</summary>
    public bool LogY { get; init; }

    /// <summary>Fixed ends of the y axis (e.g. 0 and 1 for accuracy); null: from the data. Ignored on a log axis.</summary>
    public double? YMin { get; init; }
    public double? YMax { get; init; }

    /// <summary>Thickness of the lines, 1 or 2 pixels.</summary>
    public int LineWidth { get; init; } = 2;

    public LineChart AddSeries(string name, IEnumerable<(double X, double Y)> points, Rgb? color = null)
    {
        ArgumentNullException.ThrowIfNull(name);
        _series.Add(new LineSeries(name, points.ToArray(), color));
        return this;
    }

    public LineChart AddSeries(string name, IReadOnlyList<double> xs, IReadOnlyList<double> ys, Rgb? color = null)
    {
        if (xs.Count != ys.Count)
            throw new ArgumentException($"series '{name}' has {xs.Count} x values but {ys.Count} y values; give one y per x", nameof(ys));
        return AddSeries(name, xs.Zip(ys), color);
    }

    public Rgb ColorOf(int index) => _series[index].Color ?? Palette.ForSeries(index);

    private bool Shows((double X, double Y) p) => double.IsFinite(p.X) && double.IsFinite(p.Y) && (!LogY || p.Y > 0);

    public override ChartLayout Layout(int width = DefaultWidth, int height = DefaultHeight)
    {
        var (top, bottom) = ChartFrame.PlotRows(this, width, height);
        var shown = _series.SelectMany(s => s.Points).Where(Shows).ToList();
        int yTicks = ChartFrame.TargetTicks(bottom - top, 50);
        Axis y;
        if (LogY) y = shown.Count == 0 ? NiceTicks.Log(1, 10) : NiceTicks.Log(shown.Min(p => p.Y), shown.Max(p => p.Y));
        else
        {
            double lo = YMin ?? (shown.Count == 0 ? 0 : shown.Min(p => p.Y));
            double hi = YMax ?? (shown.Count == 0 ? 1 : shown.Max(p => p.Y));
            // A fixed end on the wrong side of the data (YMax below every point) must not invert the axis.
            if (YMin is null && YMax is { } fixedMax && lo > fixedMax) lo = fixedMax;
            if (YMax is null && YMin is { } fixedMin && hi < fixedMin) hi = fixedMin;
            y = NiceTicks.Linear(lo, hi, yTicks);
        }
        var (plot, legend) = ChartFrame.Arrange(this, width, height, y, _series.Select(s => s.Name).ToList());
        var x = shown.Count == 0
            ? NiceTicks.Linear(0, 1, ChartFrame.TargetTicks(plot.Width, 90))
            : NiceTicks.Linear(shown.Min(p => p.X), shown.Max(p => p.X), ChartFrame.TargetTicks(plot.Width, 90));
        return new ChartLayout(width, height, plot, legend, x, y, Inset: 4);
    }

    public override Canvas Render(int width = DefaultWidth, int height = DefaultHeight)
    {
        if (LineWidth is < 1 or > 2) throw new ArgumentOutOfRangeException(nameof(LineWidth), $"LineWidth {LineWidth}: use 1 or 2");
        var layout = Layout(width, height);
        var canvas = new Canvas(width, height, Palette.Background);
        ChartFrame.DrawYAxis(canvas, layout, TextScale);
        ChartFrame.DrawXAxis(canvas, layout, TextScale);

        bool anyShown = _series.Any(s => s.Points.Any(Shows));
        if (!anyShown)
        {
            bool hadFinite = _series.Any(s => s.Points.Any(p => double.IsFinite(p.X) && double.IsFinite(p.Y)));
            ChartFrame.DrawMessage(canvas, layout.Plot, LogY && hadFinite ? "no data (log scale needs y > 0)" : "no data", TextScale);
        }

        canvas.Clip = layout.Plot;
        for (int i = 0; i < _series.Count; i++) DrawSeries(canvas, layout, _series[i], ColorOf(i));
        canvas.Clip = null;

        ChartFrame.DrawFrameAndLabels(canvas, this, layout);
        ChartFrame.DrawLegend(canvas, layout, _series.Select(s => s.Name).ToList(), _series.Select((_, i) => ColorOf(i)).ToList(), TextScale);
        return canvas;
    }

    private void DrawSeries(Canvas canvas, ChartLayout layout, LineSeries series, Rgb color)
    {
        var points = series.Points;
        bool markAll = points.Count(Shows) <= MarkerAllBelow;
        for (int i = 0; i < points.Count; i++)
        {
            if (!Shows(points[i])) continue;
            double px = layout.ColumnOf(points[i].X), py = layout.RowOf(points[i].Y);
            bool joinsNext = i + 1 < points.Count && Shows(points[i + 1]);
            bool joinedPrevious = i > 0 && Shows(points[i - 1]);
            if (joinsNext)
            {
                double x0 = px, y0 = py, x1 = layout.ColumnOf(points[i + 1].X), y1 = layout.RowOf(points[i + 1].Y);
                // Clip in floating point first: a fixed y range can put points thousands of pixels away.
                if (ClipSegment(layout.Plot, ref x0, ref y0, ref x1, ref y1))
                    canvas.DrawLine((int)Math.Round(x0), (int)Math.Round(y0), (int)Math.Round(x1), (int)Math.Round(y1), color, LineWidth);
            }
            // Markers of points outside a fixed y range would be clipped anyway (and their pixel rows may not fit an int).
            bool inside = px >= layout.Plot.X - 3 && px <= layout.Plot.Right + 3 && py >= layout.Plot.Y - 3 && py <= layout.Plot.Bottom + 3;
            if (inside && (markAll || (!joinsNext && !joinedPrevious)))
            {
                // Isolated points get the bigger marker: nothing else shows them.
                int size = joinsNext || joinedPrevious ? 4 : 5;
                canvas.FillRect((int)Math.Round(px) - size / 2, (int)Math.Round(py) - size / 2, size, size, color);
            }
        }
    }

    /// <summary>Liang–Barsky: cuts the segment to the rectangle (pixel centres); false when it misses it entirely.</summary>
    internal static bool ClipSegment(PixelRect r, ref double x0, ref double y0, ref double x1, ref double y1)
    {
        double t0 = 0, t1 = 1, dx = x1 - x0, dy = y1 - y0;
        ReadOnlySpan<double> p = [-dx, dx, -dy, dy];
        ReadOnlySpan<double> q = [x0 - r.X, r.Right - 1 - x0, y0 - r.Y, r.Bottom - 1 - y0];
        for (int k = 0; k < 4; k++)
        {
            if (p[k] == 0)
            {
                if (q[k] < 0) return false; // parallel to this edge and outside it
                continue;
            }
            double t = q[k] / p[k];
            if (p[k] < 0) t0 = Math.Max(t0, t);
            else t1 = Math.Min(t1, t);
            if (t0 > t1) return false;
        }
        (x0, y0, x1, y1) = (x0 + t0 * dx, y0 + t0 * dy, x0 + t1 * dx, y0 + t1 * dy);
        return true;
    }
}
