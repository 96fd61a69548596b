using Avocado.Common.Files;
using ScottPlot;

namespace Avocado.Charts;

/// <summary>Writes a plot as a PNG, whole or not at all (<see cref="AtomicFile"/>).</summary>
public static class ChartFile
{
    public const int DefaultWidth = 800, DefaultHeight = 480;

    public static void WritePng(Plot plot, string path, int width = DefaultWidth, int height = DefaultHeight)
    {
        ArgumentNullException.ThrowIfNull(plot);
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (width < 100 || height < 100) throw new ArgumentException($"a chart needs at least 100×100 pixels, got {width}×{height}");
        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        AtomicFile.WriteAllBytes(full, plot.GetImageBytes(width, height, ImageFormat.Png));
    }

    /// <summary>The palette every chart uses: series i gets colour i (Category 10, readable on white and in print).</summary>
    public static Color SeriesColor(int i) => new ScottPlot.Palettes.Category10().GetColor(i);
}
