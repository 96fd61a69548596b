namespace Avocado.Distill.Plots;

/// <summary>One 8-bit sRGB colour.</summary>
public readonly record struct Rgb(byte R, byte G, byte B)
{
    /// <summary>From 0xRRGGBB, the way colours are written in palettes.</summary>
    public static Rgb FromHex(uint rgb) => new((byte)(rgb >> 16), (byte)(rgb >> 8), (byte)rgb);

    public static Rgb White { get; } = new(255, 255, 255);
    public static Rgb Black { get; } = new(0, 0, 0);

    public override string ToString() => $"#{R:X2}{G:X2}{B:X2}";
}

/// <summary>
/// Colours of every chart. Series use the Okabe–Ito palette (Okabe &amp; Ito 2008, "Color Universal Design"),
/// chosen so that the common colour-vision deficiencies still tell the series apart. The ink colours
/// (text, axes, grid) are greys that no series colour equals, so a chart's pixels can be attributed.
/// </summary>
public static class Palette
{
    /// <summary>Okabe–Ito, reordered so the first series get the colours that are most distinct on white;
    /// yellow (weak on white) and black (reads as an axis) come last.</summary>
    public static IReadOnlyList<Rgb> Series { get; } =
    [
        Rgb.FromHex(0x0072B2), // blue
        Rgb.FromHex(0xE69F00), // orange
        Rgb.FromHex(0x009E73), // bluish green
        Rgb.FromHex(0xD55E00), // vermillion
        Rgb.FromHex(0xCC79A7), // reddish purple
        Rgb.FromHex(0x56B4E9), // sky blue
        Rgb.FromHex(0xF0E442), // yellow
        Rgb.FromHex(0x000000), // black
    ];

    /// <summary>The colour of the i-th series; more than eight series repeat the palette.</summary>
    public static Rgb ForSeries(int index) => Series[((index % Series.Count) + Series.Count) % Series.Count];

    public static Rgb Background => Rgb.White;
    public static Rgb Text { get; } = Rgb.FromHex(0x222222);
    public static Rgb Axis { get; } = Rgb.FromHex(0x444444);
    public static Rgb Grid { get; } = Rgb.FromHex(0xE4E4E4);
}
