namespace Avocado.Media.Tests.Images;

public sealed class PngFileTests
{
    readonly MediaFiles files = MediaFiles.Shared;

    [Fact]
    public void A_written_png_is_valid_to_an_independent_decoder_and_holds_exactly_the_pixels()
    {
        using var dir = new TempDir();
        var path = dir.File("pattern.png");

        PngFile.Write(path, MediaFiles.PatternWidth, MediaFiles.PatternHeight, files.PatternRgb);

        var png = PngReference.Decode(path); // python3's zlib: signature, CRCs, filters
        Assert.Equal((MediaFiles.PatternWidth, MediaFiles.PatternHeight, 8), (png.Width, png.Height, png.BitDepth));
        Assert.Equal(files.PatternRgb, png.Rgb);
        Assert.Equal(files.PatternRgb, new ImageDecoder().Decode(path).Rgb);
        Assert.Equal(["pattern.png"], dir.FileNames()); // written whole: no temporary left behind
    }

    [Fact]
    public async Task A_video_frame_written_as_png_is_that_frame()
    {
        using var dir = new TempDir();
        var frame = (await new VideoReader().ReadFramesAsync(files.Cuts, new FrameRequest { StartSeconds = 8, MaxFrames = 1, Size = FrameSize.Fit(120) }).ToListAsync()).Single();

        PngFile.Write(dir.File("frame.png"), frame);

        Assert.Equal(frame.Rgb, PngReference.Decode(dir.File("frame.png")).Rgb);
    }

    [Fact]
    public void Pixels_that_do_not_match_the_size_are_refused()
    {
        var e = Assert.Throws<ArgumentException>(() => PngFile.Encode(4, 4, new byte[47]));
        Assert.Equal("4×4 RGB24 needs 48 bytes, got 47", e.Message);
    }
}
