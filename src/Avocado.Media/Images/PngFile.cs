using Avocado.Common.Imaging;
using Avocado.Common.Files;
using SkiaSharp;

namespace Avocado.Media;

/// <summary>Writes RGB24 pixels as PNG through SkiaSharp's encoder (the library ScottPlot draws charts with), whole or
/// not at all (<see cref="AtomicFile"/>).</summary>
public static class PngFile
{
    public static void Write(string path, int width, int height, ReadOnlySpan<byte> rgb)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var png = Encode(width, height, rgb);
        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        AtomicFile.WriteAllBytes(full, png);
    }

    public static void Write(string path, VideoFrame frame) => Write(path, frame.Width, frame.Height, frame.Rgb);

    public static void Write(string path, RgbImage image) => Write(path, image.Width, image.Height, image.Rgb);

    /// <summary>The PNG bytes of an opaque RGB24 image.</summary>
    public static byte[] Encode(int width, int height, ReadOnlySpan<byte> rgb)
    {
        if (width < 1 || height < 1) throw new ArgumentException($"an image needs positive sides, got {width}×{height}");
        if (rgb.Length != (long)width * height * 3)
            throw new ArgumentException($"{width}×{height} RGB24 needs {(long)width * height * 3:N0} bytes, got {rgb.Length:N0}");
        var rgba = new byte[width * height * 4];
        for (int i = 0, j = 0; i < rgb.Length; i += 3, j += 4)
        {
            rgba[j] = rgb[i];
            rgba[j + 1] = rgb[i + 1];
            rgba[j + 2] = rgb[i + 2];
            rgba[j + 3] = 255;
        }
        using var image = SKImage.FromPixelCopy(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Opaque), rgba)
                          ?? throw new InvalidOperationException($"Skia could not hold a {width}×{height} image");
        using var data = image.Encode(SKEncodedImageFormat.Png, 100)
                         ?? throw new InvalidOperationException($"Skia could not encode a {width}×{height} PNG");
        return data.ToArray();
    }
}
