// Image resizing and normalisation shared by the vision towers (Qwen3-VL: bicubic to a smart size; Gemma 3: bilinear
// to a fixed square). Our own code for a measured reason: the towers were trained on images that transformers' slow
// processors resize with Pillow, and a different resampler (ImageSharp, a GPU bilinear) changes the pixels they see;
// this file reproduces Pillow's ImagingResample (src/libImaging/Resample.c) bit for bit on 8-bit RGB.
namespace Avocado.Models.Vision;

public enum ResizeFilter
{
    /// <summary>Pillow's BILINEAR: triangle filter, support 1.</summary>
    Bilinear,
    /// <summary>Pillow's BICUBIC: Keys cubic with a = −0.5, support 2.</summary>
    Bicubic,
}

public static class ImagePreprocessing
{
    // Pillow's fixed point for 8-bit images: coefficients are scaled by 2^22, leaving 8 bits for the value and 2 for
    // the overshoot of negative lobes.
    const int PrecisionBits = 32 - 8 - 2;

    /// <summary>Resizes an RGB24 image (<paramref name="height"/> rows of <paramref name="width"/>·3 bytes) the way
    /// Pillow's <c>Image.resize</c> does: a separable convolution, horizontal pass first, each pass rounded to uint8;
    /// when shrinking, the filter is stretched by the scale (antialiasing).</summary>
    public static byte[] Resize(ReadOnlySpan<byte> rgb, int width, int height, int newWidth, int newHeight, ResizeFilter filter)
    {
        if (width <= 0 || height <= 0) throw new ArgumentException($"image size {width}×{height} must be positive");
        if (newWidth <= 0 || newHeight <= 0) throw new ArgumentException($"target size {newWidth}×{newHeight} must be positive");
        if (rgb.Length != checked(width * height * 3))
            throw new ArgumentException($"rgb holds {rgb.Length} bytes; a {width}×{height} RGB24 image has {width * height * 3}", nameof(rgb));

        var vertical = Coefficients(height, newHeight, filter);
        byte[] source = rgb.ToArray();
        int columns = width;
        if (newWidth != width)
        {
            // Only the source rows the vertical pass reads are resampled, as Pillow does (same output, less work).
            int firstRow = vertical.Start[0], lastRow = vertical.Start[^1] + vertical.Count[^1];
            var horizontal = Coefficients(width, newWidth, filter);
            source = ResampleRows(source, width, firstRow, lastRow - firstRow, horizontal);
            for (int i = 0; i < vertical.Start.Length; i++) vertical.Start[i] -= firstRow;
            columns = newWidth;
        }
        // Same height: the horizontal pass kept every row (a filter at scale 1 reads rows 0..height), nothing to do.
        return newHeight != height ? ResampleColumns(source, columns, newHeight, vertical) : source;
    }

    /// <summary>uint8 RGB24 → float32 planes (3, H, W): <c>(v·rescale − mean[c]) / std[c]</c>, with the rounding of
    /// transformers' slow processors (rescale in float64, then normalise in float32).</summary>
    public static float[] RescaleAndNormalize(ReadOnlySpan<byte> rgb, int width, int height, double rescale,
        IReadOnlyList<float> mean, IReadOnlyList<float> std)
    {
        if (mean.Count != 3 || std.Count != 3) throw new ArgumentException("mean and std need one value per RGB channel");
        if (rgb.Length != width * height * 3) throw new ArgumentException($"rgb holds {rgb.Length} bytes, expected {width * height * 3}", nameof(rgb));
        int plane = width * height;
        var result = new float[3 * plane];
        for (int i = 0; i < plane; i++)
        for (int c = 0; c < 3; c++)
        {
            float scaled = (float)(rgb[i * 3 + c] * rescale);
            result[c * plane + i] = (scaled - mean[c]) / std[c];
        }
        return result;
    }

    /// <summary>Per output pixel: the first input index, how many inputs it reads, and their fixed-point weights.</summary>
    sealed record FilterCoefficients(int[] Start, int[] Count, int[] Weights, int MaxTaps);

    static FilterCoefficients Coefficients(int inSize, int outSize, ResizeFilter filter)
    {
        double support = filter == ResizeFilter.Bicubic ? 2.0 : 1.0;
        double scale = (double)inSize / outSize;
        double filterScale = Math.Max(scale, 1.0);   // stretch the filter only when shrinking
        support *= filterScale;
        int maxTaps = (int)Math.Ceiling(support) * 2 + 1;
        var start = new int[outSize];
        var count = new int[outSize];
        var weights = new int[outSize * maxTaps];
        var taps = new double[maxTaps];
        for (int o = 0; o < outSize; o++)
        {
            double center = (o + 0.5) * scale;
            // Truncation toward zero after +0.5, then clamping: Pillow's rounding of the window ends.
            int first = Math.Max((int)(center - support + 0.5), 0);
            int n = Math.Min((int)(center + support + 0.5), inSize) - first;
            double total = 0;
            for (int x = 0; x < n; x++)
            {
                taps[x] = Kernel(filter, (x + first - center + 0.5) / filterScale);
                total += taps[x];
            }
            for (int x = 0; x < n; x++)
            {
                double w = total != 0 ? taps[x] / total : taps[x];
                weights[o * maxTaps + x] = (int)(w < 0 ? -0.5 + w * (1 << PrecisionBits) : 0.5 + w * (1 << PrecisionBits));
            }
            start[o] = first;
            count[o] = n;
        }
        return new FilterCoefficients(start, count, weights, maxTaps);
    }

    static double Kernel(ResizeFilter filter, double x)
    {
        x = Math.Abs(x);
        if (filter == ResizeFilter.Bilinear) return x < 1.0 ? 1.0 - x : 0.0;
        const double a = -0.5;
        if (x < 1.0) return ((a + 2.0) * x - (a + 3.0)) * x * x + 1;
        if (x < 2.0) return (((x - 5) * x + 8) * x - 4) * a;
        return 0.0;
    }

    /// <summary>Rounds the fixed-point sum to a byte: Pillow's clip8 (arithmetic shift, clamp to 0..255).</summary>
    static byte Clip8(int sum) => (byte)Math.Clamp(sum >> PrecisionBits, 0, 255);

    static byte[] ResampleRows(byte[] source, int width, int firstRow, int rowCount, FilterCoefficients k)
    {
        int outWidth = k.Start.Length;
        var result = new byte[rowCount * outWidth * 3];
        for (int y = 0; y < rowCount; y++)
        {
            int rowBase = (y + firstRow) * width * 3;
            for (int o = 0; o < outWidth; o++)
            {
                int s0 = 1 << (PrecisionBits - 1), s1 = s0, s2 = s0;
                for (int x = 0; x < k.Count[o]; x++)
                {
                    int w = k.Weights[o * k.MaxTaps + x], p = rowBase + (k.Start[o] + x) * 3;
                    s0 += source[p] * w;
                    s1 += source[p + 1] * w;
                    s2 += source[p + 2] * w;
                }
                int q = (y * outWidth + o) * 3;
                result[q] = Clip8(s0);
                result[q + 1] = Clip8(s1);
                result[q + 2] = Clip8(s2);
            }
        }
        return result;
    }

    static byte[] ResampleColumns(byte[] source, int width, int outHeight, FilterCoefficients k)
    {
        var result = new byte[outHeight * width * 3];
        for (int o = 0; o < outHeight; o++)
        for (int x = 0; x < width; x++)
        {
            int s0 = 1 << (PrecisionBits - 1), s1 = s0, s2 = s0;
            for (int y = 0; y < k.Count[o]; y++)
            {
                int w = k.Weights[o * k.MaxTaps + y], p = ((k.Start[o] + y) * width + x) * 3;
                s0 += source[p] * w;
                s1 += source[p + 1] * w;
                s2 += source[p + 2] * w;
            }
            int q = (o * width + x) * 3;
            result[q] = Clip8(s0);
            result[q + 1] = Clip8(s1);
            result[q + 2] = Clip8(s2);
        }
        return result;
    }
}
