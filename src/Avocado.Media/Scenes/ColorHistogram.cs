namespace Avocado.Media;

/// <summary>Per-channel histograms of an RGB24 image, 32 bins each, normalised to sum 1 per channel. Colour, not only
/// luma: pure red and dark green (#008000) have the same luma (≈ 81), and a cut between them is still a cut.</summary>
public sealed class ColorHistogram
{
    public const int Bins = 32;
    const int Shift = 3; // 256 / 32

    readonly double[] _frequencies = new double[3 * Bins];

    public static ColorHistogram Of(ReadOnlySpan<byte> rgb)
    {
        if (rgb.Length == 0 || rgb.Length % 3 != 0) throw new ArgumentException($"RGB24 data must be a non-empty multiple of 3 bytes, got {rgb.Length}");
        var counts = new int[3 * Bins];
        for (int i = 0; i < rgb.Length; i += 3)
        {
            counts[rgb[i] >> Shift]++;
            counts[Bins + (rgb[i + 1] >> Shift)]++;
            counts[2 * Bins + (rgb[i + 2] >> Shift)]++;
        }
        var h = new ColorHistogram();
        double pixels = rgb.Length / 3;
        for (int b = 0; b < counts.Length; b++) h._frequencies[b] = counts[b] / pixels;
        return h;
    }

    /// <summary>The total-variation distance per channel (half the L1 distance: the share of pixels that would have
    /// to change bin), averaged over R, G and B. 0 for equal histograms, 1 when no channel shares a bin.</summary>
    public static double Distance(ColorHistogram a, ColorHistogram b)
    {
        double sum = 0;
        for (int i = 0; i < a._frequencies.Length; i++) sum += Math.Abs(a._frequencies[i] - b._frequencies[i]);
        return sum / 2 / 3;
    }
}
