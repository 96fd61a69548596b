namespace Avocado.Charts.Tests;

static class ChartColors
{
    public static Rgb Series(int i)
    {
        var c = ChartFile.SeriesColor(i);
        return new Rgb(c.R, c.G, c.B);
    }

    public static readonly Rgb White = new(255, 255, 255);
}
