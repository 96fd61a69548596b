using Avocado.Common.Imaging;
namespace Avocado.Media.Tests.Images;

/// <summary>Images ffmpeg encoded from a known pattern (MediaFiles.Pattern: four flat quadrants and a gradient band)
/// decode back to it: PNG exactly, JPEG and WebP within what lossy coding moves.</summary>
public sealed class ImageDecoderTests
{
    readonly MediaFiles files = MediaFiles.Shared;

    const int W = MediaFiles.PatternWidth, H = MediaFiles.PatternHeight;

    [Fact]
    public void Png_decodes_exactly()
    {
        var image = new ImageDecoder().Decode(files.Png);

        Assert.Equal((W, H), (image.Width, image.Height));
        Assert.Equal(files.PatternRgb, image.Rgb);
    }

    [Theory]
    [InlineData("jpeg", 2.0, 6)]
    [InlineData("webp", 4.0, 6)] // lossy WebP keeps colour at quarter resolution (4:2:0): edges blur more than in 4:4:4 JPEG
    public void Lossy_formats_decode_within_a_tolerance(string format, double maxMeanError, int maxErrorInsideQuadrants)
    {
        var image = new ImageDecoder().Decode(format == "jpeg" ? files.Jpeg : files.Webp);

        Assert.Equal((W, H), (image.Width, image.Height));
        double mean = image.Rgb.Zip(files.PatternRgb, (a, b) => Math.Abs(a - b)).Average();
        Assert.True(mean <= maxMeanError, $"{format}: mean error {mean:0.##} > {maxMeanError}");
        // Away from edges (coding blocks straddle them) every channel of every pixel is close.
        foreach (var (x0, y0) in new[] { (8, 4), (56, 4), (8, 44), (56, 44) })
            for (int y = y0; y < y0 + 16; y++)
                for (int x = x0; x < x0 + 32; x++)
                    for (int c = 0; c < 3; c++)
                    {
                        int i = (y * W + x) * 3 + c;
                        Assert.True(Math.Abs(image.Rgb[i] - files.PatternRgb[i]) <= maxErrorInsideQuadrants,
                            $"{format}: pixel ({x}, {y}) channel {c} is {image.Rgb[i]}, the pattern {files.PatternRgb[i]}");
                    }
    }

    [Fact]
    public void Resizing_keeps_the_aspect_and_the_flat_colours()
    {
        var image = new ImageDecoder().Decode(files.Png, FrameSize.Fit(48));

        Assert.Equal((48, 32), (image.Width, image.Height));
        AssertPixel(image, 6, 4, (220, 30, 40));
        AssertPixel(image, 40, 4, (30, 200, 60));
        AssertPixel(image, 6, 28, (40, 60, 210));
        AssertPixel(image, 40, 28, (240, 230, 200));

        var exact = new ImageDecoder().Decode(files.Png, FrameSize.Exact(200, 20)); // bicubic upscale, aspect ignored
        Assert.Equal((200, 20), (exact.Width, exact.Height));
        AssertPixel(exact, 10, 1, (220, 30, 40));
    }

    [Fact]
    public void Bytes_in_memory_decode_like_the_file()
    {
        var fromBytes = new ImageDecoder().Decode(File.ReadAllBytes(files.Png), "upload.png");
        Assert.Equal(files.PatternRgb, fromBytes.Rgb);
    }

    public static TheoryData<string, string> BadImages() => new()
    {
        { "gif", "unsupported image format Gif; supported: PNG, JPEG, WebP" },
        { "text", "not an image, or an image format that cannot be decoded" },
        { "truncated", "truncated Png image: the data ends before the last row" },
        { "empty", "the file is empty (0 bytes)" },
        { "missing", "file not found" },
    };

    [Theory]
    [MemberData(nameof(BadImages))]
    public void Bad_images_name_the_file_and_the_reason(string name, string reason)
    {
        var path = name switch
        {
            "gif" => files.Gif, "text" => files.NotAVideo, "truncated" => files.TruncatedPng, "empty" => files.Empty,
            _ => files.PathFor("no-such-image.png"),
        };
        var e = Assert.Throws<MediaException>(() => new ImageDecoder().Decode(path));

        Assert.StartsWith(path + ": ", e.Message);
        Assert.Contains(reason, e.Message);
    }

    [Fact]
    public void The_pixel_limit_is_checked_before_decoding()
    {
        var e = Assert.Throws<MediaException>(() => new ImageDecoder(new MediaLimits { MaxPixels = 1000 }).Decode(files.Png));
        Assert.Equal($"{files.Png}: the image is 96×64 = 6,144 pixels, over the limit MaxPixels = 1,000", e.Message);
    }

    static void AssertPixel(RgbImage image, int x, int y, (int R, int G, int B) expected, int tolerance = 2)
    {
        int i = (y * image.Width + x) * 3;
        var actual = (image.Rgb[i], image.Rgb[i + 1], image.Rgb[i + 2]);
        Assert.True(Math.Abs(actual.Item1 - expected.R) <= tolerance && Math.Abs(actual.Item2 - expected.G) <= tolerance
                    && Math.Abs(actual.Item3 - expected.B) <= tolerance, $"pixel ({x}, {y}) is {actual}, expected {expected} ± {tolerance}");
    }
}
