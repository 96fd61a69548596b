using Avocado.Models.Vision;
using Xunit.Abstractions;

namespace Avocado.Models.Tests.Vision;

/// <summary>ImagePreprocessing.Resize against Pillow's Image.resize (Debian's python3-pil 9.4) on random RGB noise —
/// the hardest input for rounding, since every pixel differs from its neighbours.</summary>
public class ImageResizeParityTests(ITestOutputHelper log)
{
    /// <summary>Tolerance: 0 levels. The algorithm is Pillow's, fixed point included, so every byte must agree; a
    /// difference of even one level means a rounding step differs.</summary>
    const int ToleranceLevels = 0;

    static readonly (int W, int H, int NewW, int NewH)[] Sizes =
    [
        (37, 23, 16, 11),    // shrink both sides, odd sizes (antialiasing: the filter widens by the scale)
        (101, 67, 7, 5),     // shrink by more than 10× (wide filters, many taps)
        (13, 9, 40, 29),     // enlarge both sides
        (50, 17, 23, 40),    // shrink one side, enlarge the other
        (30, 20, 30, 11),    // vertical pass only
        (30, 20, 45, 20),    // horizontal pass only
        (20, 20, 20, 20),    // no change
        (1, 1, 3, 2),        // a single pixel
        (640, 480, 320, 224), // a photo to a Qwen smart size
        (1000, 750, 896, 896), // a photo to Gemma 3's square (aspect ratio ignored)
    ];

    [Theory]
    [InlineData(ResizeFilter.Bilinear)]
    [InlineData(ResizeFilter.Bicubic)]
    public void Every_byte_matches_Pillow(ResizeFilter filter)
    {
        using var dir = new TempDir();
        var random = new Random(42);
        var cases = new List<object>();
        var ours = new List<byte[]>();
        for (int i = 0; i < Sizes.Length; i++)
        {
            var (w, h, nw, nh) = Sizes[i];
            var pixels = new byte[w * h * 3];
            random.NextBytes(pixels);
            File.WriteAllBytes(dir.File($"in{i}.rgb"), pixels);
            ours.Add(ImagePreprocessing.Resize(pixels, w, h, nw, nh, filter));
            cases.Add(new
            {
                input = dir.File($"in{i}.rgb"), width = w, height = h, new_width = nw, new_height = nh,
                filter = filter.ToString().ToLowerInvariant(), output = dir.File($"out{i}.rgb"),
            });
        }
        Qwen3VLReference.Run("resize", new { cases }, dir, "PIL");

        for (int i = 0; i < Sizes.Length; i++)
        {
            var pillow = File.ReadAllBytes(dir.File($"out{i}.rgb"));
            Assert.Equal(pillow.Length, ours[i].Length);
            int worst = pillow.Zip(ours[i], (a, b) => Math.Abs(a - b)).Max(), differing = pillow.Zip(ours[i]).Count(p => p.First != p.Second);
            log.WriteLine($"{filter} {Sizes[i]}: max |Δ| {worst} levels, {differing} of {pillow.Length} bytes differ");
            Assert.True(worst <= ToleranceLevels, $"{filter} {Sizes[i]}: {differing} bytes differ from Pillow, by up to {worst} levels");
        }
    }

    [Fact]
    public void Sizes_that_do_not_describe_the_buffer_are_refused()
    {
        Assert.Throws<ArgumentException>(() => ImagePreprocessing.Resize(new byte[11], 2, 2, 1, 1, ResizeFilter.Bilinear));
        Assert.Throws<ArgumentException>(() => ImagePreprocessing.Resize(new byte[12], 2, 2, 0, 1, ResizeFilter.Bilinear));
    }
}
