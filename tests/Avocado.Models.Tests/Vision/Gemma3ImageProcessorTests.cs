using Avocado.Common.Imaging;
using Avocado.Models.Vision;

namespace Avocado.Models.Tests.Vision;

/// <summary>Gemma 3's preprocessing: a fixed square, and pan-and-scan crops as transformers' Gemma3ImageProcessor
/// computes them (expected sizes worked out from its formula by hand).</summary>
public class Gemma3ImageProcessorTests
{
    static RgbImage Image(int w, int h) => new(w, h, Enumerable.Range(0, w * h * 3).Select(i => (byte)(i * 31 % 251)).ToArray());

    [Theory]
    [InlineData(1000, 400, new[] { 334, 334, 332 }, new[] { 400, 400, 400 })] // ratio 2.5 → 3 crops, the last clipped
    [InlineData(600, 500, new[] { 300, 300 }, new[] { 500, 500 })]             // ratio 1.2 → at least 2
    [InlineData(400, 1300, new[] { 400, 400, 400 }, new[] { 434, 434, 432 })] // tall: crops down the image
    [InlineData(2400, 300, new[] { 600, 600, 600, 600 }, new[] { 300, 300, 300, 300 })] // capped at 4
    [InlineData(500, 300, new int[0], new int[0])]                            // crops would be under 256 px
    [InlineData(500, 450, new int[0], new int[0])]                            // not wide enough (ratio < 1.2)
    public void Pan_and_scan_crops_as_the_reference_processor(int w, int h, int[] widths, int[] heights)
    {
        var crops = new Gemma3ImageProcessor { PanAndScan = true }.Crops(Image(w, h));
        Assert.Equal(widths, crops.Select(c => c.Width));
        Assert.Equal(heights, crops.Select(c => c.Height));
        if (crops.Count > 1)
        {
            // The second crop starts where the first ends.
            var image = Image(w, h);
            bool wide = w >= h;
            int offset = wide ? crops[0].Width * 3 : crops[0].Height * w * 3;
            Assert.Equal(image.Rgb[offset], crops[1].Rgb[0]);
        }
    }

    [Fact]
    public void Pixels_are_a_fixed_square_rescaled_to_minus_one_one()
    {
        var processor = new Gemma3ImageProcessor { ImageSize = 8 };
        var white = new RgbImage(20, 10, Enumerable.Repeat((byte)255, 20 * 10 * 3).ToArray());
        var (pixels, crops) = processor.Preprocess([white, Image(5, 7)]);
        Assert.Equal(new long[] { 2, 3, 8, 8 }, pixels.shape);
        Assert.Equal([0, 0], crops);
        Assert.All(Tensors.Floats(pixels[0]), v => Assert.Equal(1f, v));
        var values = Tensors.Floats(pixels[1]);
        Assert.All(values, v => Assert.InRange(v, -1f, 1f));
    }
}
