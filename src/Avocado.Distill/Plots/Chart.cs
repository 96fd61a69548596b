namespace Avocado.Distill.Plots;

/// <summary>What every chart has: a title, axis labels and a text size; subclasses add the data and the drawing.</summary>
public abstract class Chart
{
    public const int DefaultWidth = 800;
    public const int DefaultHeight = 450;

    public string Title { get; init; } = "";
    public string XLabel { get; init; } = "";
    public string YLabel { get; init; } = "";

    /// <summary>Scale of tick labels, axis labels and legend: 1 (8-pixel text) or 2; the title is one step larger.</summary>
    public int TextScale { get; init; } = 1;

    /// <summary>Where the plot, the legend and the axes go at this size (what <see cref="Render"/> draws into).</summary>
    public abstract ChartLayout Layout(int width = DefaultWidth, int height = DefaultHeight);

    public abstract Canvas Render(int width = DefaultWidth, int height = DefaultHeight);

    /// <summary>Renders and writes the chart as a PNG file (atomically; see <see cref="PngWriter.Write(string, Canvas)"/>).</summary>
    public void WritePng(string path, int width = DefaultWidth, int height = DefaultHeight) => PngWriter.Write(path, Render(width, height));
}

/// <summary>
/// The rectangles and axes of a chart at one size. X is null for charts whose x axis is categories. Values map to
/// pixel centres: the axis ends land Inset pixels inside the plot's edges (line charts keep points that sit exactly
/// on an axis end off the frame; bars use 0 so they stand on the axis line).
/// </summary>
public sealed record ChartLayout(int Width, int Height, PixelRect Plot, PixelRect Legend, Axis? X, Axis Y, int Inset = 0)
{
    public double ColumnOf(double x) =>
        Plot.X + Inset + (X ?? throw new InvalidOperationException("this chart has no numeric x axis")).Fraction(x) * (Plot.Width - 1 - 2 * Inset);

    public double RowOf(double y) => Plot.Bottom - 1 - Inset - Y.Fraction(y) * (Plot.Height - 1 - 2 * Inset);
}
