namespace Avocado.Distill.Plots;

/// <summary>
/// What line and bar charts draw alike: the margins, the title and axis labels, the y axis with its grid, the axis
/// lines and the legend to the right of the plot. The legend sits outside the plot so it never hides data.
/// </summary>
internal static class ChartFrame
{
    public const int Pad = 8;
    public const int TickLength = 4;
    public const int SwatchWidth = 14;
    public const int MinWidth = 200;
    public const int MinHeight = 120;

    /// <summary>The top and bottom edges of the plot, which depend only on the text that goes above and below it.</summary>
    public static (int Top, int Bottom) PlotRows(Chart chart, int width, int height)
    {
        if (width < MinWidth || height < MinHeight || width > Canvas.MaxSide || height > Canvas.MaxSide)
            throw new ArgumentOutOfRangeException(nameof(width), $"chart size {width}×{height}: use at least {MinWidth}×{MinHeight} (and at most {Canvas.MaxSide})");
        if (chart.TextScale is < 1 or > 2) throw new ArgumentOutOfRangeException(nameof(chart), $"TextScale {chart.TextScale}: use 1 or 2");
        int th = BitmapFont.TextHeight(chart.TextScale);
        // Without a title, leave half a text line so the top tick label is not cut off.
        int top = chart.Title.Length > 0 ? Pad + BitmapFont.TextHeight(chart.TextScale + 1) + Pad : Pad + th / 2;
        int bottom = height - Pad - (chart.XLabel.Length > 0 ? th + Pad : 0) - th - Pad / 2 - TickLength;
        return (top, bottom);
    }

    /// <summary>About one tick per spacing pixels, 2 to 10 of them.</summary>
    public static int TargetTicks(int pixels, int spacing) => Math.Clamp(pixels / spacing, 2, 10);

    /// <summary>Places the plot and legend, now that the y tick labels (which set the left margin) are known.</summary>
    public static (PixelRect Plot, PixelRect Legend) Arrange(Chart chart, int width, int height, Axis y, IReadOnlyList<string> legendNames)
    {
        var (top, bottom) = PlotRows(chart, width, height);
        int scale = chart.TextScale, th = BitmapFont.TextHeight(scale);
        int tickLabels = y.Ticks.Max(t => BitmapFont.MeasureText(y.Label(t), scale));
        int left = Pad + (chart.YLabel.Length > 0 ? th + Pad : 0) + tickLabels + Pad / 2 + TickLength;
        int legendWidth = 0;
        if (legendNames.Count > 0)
            legendWidth = SwatchWidth + Pad / 2 + Math.Min(legendNames.Max(n => BitmapFont.MeasureText(n, scale)), width / 4);
        // On the right: room for half of the last x tick label, then the legend.
        int right = width - 3 * Pad - (legendWidth > 0 ? legendWidth + Pad : 0);
        var plot = new PixelRect(left, top, right - left, bottom - top);
        if (plot.Width < 40 || plot.Height < 30)
            throw new ArgumentOutOfRangeException(nameof(width), $"chart size {width}×{height} leaves a {plot.Width}×{plot.Height} plot: make the chart larger or the labels shorter");
        int rowHeight = th + Pad / 2;
        int rows = Math.Min(legendNames.Count, Math.Max(1, plot.Height / rowHeight));
        var legend = legendWidth == 0 ? default : new PixelRect(plot.Right + 2 * Pad, plot.Y, legendWidth, rows * rowHeight);
        return (plot, legend);
    }

    /// <summary>Horizontal grid lines, tick marks and labels of the y axis (drawn before the data, which goes on top).</summary>
    public static void DrawYAxis(Canvas canvas, ChartLayout layout, int scale)
    {
        var plot = layout.Plot;
        int th = BitmapFont.TextHeight(scale);
        foreach (double tick in layout.Y.Ticks)
        {
            int row = (int)Math.Round(layout.RowOf(tick));
            canvas.FillRect(plot.X, row, plot.Width, 1, Palette.Grid);
            canvas.FillRect(plot.X - 1 - TickLength, row, TickLength, 1, Palette.Axis);
            string label = layout.Y.Label(tick);
            int x = plot.X - 1 - TickLength - Pad / 2 - BitmapFont.MeasureText(label, scale);
            canvas.DrawText(x, row - th / 2 + scale, label, Palette.Text, scale);
        }
    }

    /// <summary>Vertical grid lines, tick marks and labels of a numeric x axis; labels that would collide are thinned.</summary>
    public static void DrawXAxis(Canvas canvas, ChartLayout layout, int scale)
    {
        var plot = layout.Plot;
        var axis = layout.X!;
        int widest = axis.Ticks.Max(t => BitmapFont.MeasureText(axis.Label(t), scale));
        double spacing = axis.Ticks.Count > 1 ? layout.ColumnOf(axis.Ticks[1]) - layout.ColumnOf(axis.Ticks[0]) : plot.Width;
        int every = Math.Max(1, (int)Math.Ceiling((widest + Pad) / Math.Max(1, spacing)));
        for (int i = 0; i < axis.Ticks.Count; i++)
        {
            int col = (int)Math.Round(layout.ColumnOf(axis.Ticks[i]));
            canvas.FillRect(col, plot.Y, 1, plot.Height, Palette.Grid);
            canvas.FillRect(col, plot.Bottom + 1, 1, TickLength, Palette.Axis);
            if (i % every != 0) continue;
            string label = axis.Label(axis.Ticks[i]);
            canvas.DrawText(col - BitmapFont.MeasureText(label, scale) / 2, plot.Bottom + 1 + TickLength + Pad / 2, label, Palette.Text, scale);
        }
    }

    /// <summary>The axis lines just outside the plot (left and bottom), the title above and the axis labels.</summary>
    public static void DrawFrameAndLabels(Canvas canvas, Chart chart, ChartLayout layout)
    {
        var plot = layout.Plot;
        int scale = chart.TextScale, th = BitmapFont.TextHeight(scale);
        canvas.FillRect(plot.X - 1, plot.Y, 1, plot.Height + 1, Palette.Axis);
        canvas.FillRect(plot.X - 1, plot.Bottom, plot.Width + 1, 1, Palette.Axis);
        if (chart.Title.Length > 0)
        {
            int titleScale = scale + 1;
            // Fall back to the smaller size, then shorten, when a long title does not fit the chart's width.
            if (BitmapFont.MeasureText(chart.Title, titleScale) > layout.Width - 2 * Pad) titleScale = scale;
            string title = Canvas.FitText(chart.Title, layout.Width - 2 * Pad, titleScale);
            int x = Math.Clamp(plot.X + (plot.Width - BitmapFont.MeasureText(title, titleScale)) / 2, Pad, layout.Width - Pad - BitmapFont.MeasureText(title, titleScale));
            canvas.DrawText(x, Pad, title, Palette.Text, titleScale);
        }
        if (chart.XLabel.Length > 0)
        {
            string label = Canvas.FitText(chart.XLabel, plot.Width, scale);
            canvas.DrawText(plot.X + (plot.Width - BitmapFont.MeasureText(label, scale)) / 2, layout.Height - Pad - th, label, Palette.Text, scale);
        }
        if (chart.YLabel.Length > 0)
        {
            string label = Canvas.FitText(chart.YLabel, plot.Height, scale);
            canvas.DrawTextVertical(Pad, plot.Y + (plot.Height - BitmapFont.MeasureText(label, scale)) / 2, label, Palette.Text, scale);
        }
    }

    /// <summary>A message in the middle of an empty plot.</summary>
    public static void DrawMessage(Canvas canvas, PixelRect plot, string message, int scale)
    {
        string text = Canvas.FitText(message, plot.Width - 2 * Pad, scale);
        canvas.DrawText(plot.X + (plot.Width - BitmapFont.MeasureText(text, scale)) / 2,
            plot.Y + (plot.Height - BitmapFont.TextHeight(scale)) / 2, text, Palette.Text, scale);
    }

    /// <summary>One row per series: a colour swatch and the name. Names that do not fit are shortened; series that
    /// do not fit below the plot's height are summed up as "+N more".</summary>
    public static void DrawLegend(Canvas canvas, ChartLayout layout, IReadOnlyList<string> names, IReadOnlyList<Rgb> colors, int scale)
    {
        var legend = layout.Legend;
        if (legend.IsEmpty) return;
        int th = BitmapFont.TextHeight(scale), rowHeight = th + Pad / 2;
        int rows = legend.Height / rowHeight;
        for (int i = 0; i < rows; i++)
        {
            int y = legend.Y + i * rowHeight;
            int textX = legend.X + SwatchWidth + Pad / 2, textWidth = legend.Right - textX;
            if (i == rows - 1 && names.Count > rows)
            {
                canvas.DrawText(textX, y, Canvas.FitText($"+{names.Count - i} more", textWidth, scale), Palette.Text, scale);
                break;
            }
            canvas.FillRect(legend.X, y, SwatchWidth, th - scale, colors[i]);
            canvas.DrawText(textX, y, Canvas.FitText(names[i], textWidth, scale), Palette.Text, scale);
        }
    }
}
