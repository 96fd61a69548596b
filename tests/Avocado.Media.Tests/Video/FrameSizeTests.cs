namespace Avocado.Media.Tests.Video;

public sealed class FrameSizeTests
{
    [Theory]
    [InlineData(1280, 720, 512, null, 512, 288)]
    [InlineData(720, 1280, 512, null, 288, 512)]   // portrait: the long side is the height
    [InlineData(320, 240, 512, null, 320, 240)]    // never enlarged
    [InlineData(321, 241, 1000, null, 320, 240)]   // odd sides rounded down to even
    [InlineData(1920, 1080, 4096, 518_400L, 960, 540)] // exactly at the pixel cap
    [InlineData(1920, 1080, 4096, 518_399L, 958, 538)] // one pixel less: down to even keeps it under
    [InlineData(100, 100, 1, null, 2, 2)]          // never below 2
    public void Fit_keeps_the_aspect_shrinks_only_and_gives_even_sides(int w, int h, int maxSide, long? maxPixels, int expectedW, int expectedH)
    {
        var (width, height) = FrameSize.Fit(Math.Max(2, maxSide), maxPixels).Resolve(w, h);

        Assert.Equal((expectedW, expectedH), (width, height));
        if (maxPixels is { } p) Assert.True((long)width * height <= p);
    }

    [Fact]
    public void Exact_ignores_the_aspect_and_source_keeps_the_size()
    {
        Assert.Equal((896, 896), FrameSize.Exact(896, 896).Resolve(1280, 720));
        Assert.Equal((1280, 720), FrameSize.Source.Resolve(1280, 720));
    }

    [Fact]
    public void Anamorphic_pixels_are_widened_before_fitting()
    {
        // DVD PAL 16:9: 720×576 stored, pixels 64:45 wide → shown 1024×576.
        Assert.Equal((512, 288), FrameSize.Fit(512).Resolve(720, 576, 64 / 45.0));
        Assert.Equal((1024, 576), FrameSize.Source.Resolve(720, 576, 64 / 45.0));
    }

    [Fact]
    public void Nonsense_sizes_are_refused()
    {
        Assert.Throws<ArgumentException>(() => FrameSize.Exact(0, 10));
        Assert.Throws<ArgumentException>(() => FrameSize.Fit(1));
        Assert.Throws<ArgumentException>(() => FrameSize.Fit(64, maxPixels: 3));
    }
}
