namespace Avocado.Media.Tests.Video;

public sealed class DecodeTests
{
    readonly MediaFiles files = MediaFiles.Shared;

    static readonly FrameSize IndexedSize = FrameSize.Exact(MediaFiles.IndexedWidth, MediaFiles.IndexedHeight);

    [Fact]
    public async Task Every_frame_comes_out_exact_with_its_presentation_time()
    {
        var frames = await new VideoReader().ReadFramesAsync(files.Indexed, new FrameRequest { Size = IndexedSize }).ToListAsync();

        Assert.Equal(MediaFiles.IndexedFrames, frames.Count);
        foreach (var f in frames)
        {
            Assert.Equal(f.Index / MediaFiles.IndexedFps, f.Timestamp, 9);
            Assert.Equal(MediaFiles.IndexedWidth * MediaFiles.IndexedHeight * 3, f.Rgb.Length);
            var expected = MediaFiles.IndexedColor(f.Index);
            Assert.Equal(expected, f.Pixel(0, 0));
            Assert.Equal(expected, f.Pixel(MediaFiles.IndexedWidth - 1, MediaFiles.IndexedHeight - 1));
            Assert.True(AllPixels(f, expected), $"frame {f.Index} is not flat {expected}");
        }
    }

    [Fact]
    public async Task Fps_takes_the_frame_on_screen_at_each_tick_with_its_own_time()
    {
        var frames = await new VideoReader().ReadFramesAsync(files.Indexed, new FrameRequest { Fps = 2, Size = IndexedSize }).ToListAsync();

        Assert.Equal(20, frames.Count);
        for (int k = 0; k < frames.Count; k++)
        {
            Assert.Equal(k * 0.5, frames[k].Timestamp, 9);
            Assert.Equal(MediaFiles.IndexedColor(k * 12), frames[k].Pixel(10, 10)); // 0.5 s = 12 frames at 24 fps
        }
    }

    [Fact]
    public async Task A_start_seeks_and_timestamps_stay_on_the_video_clock()
    {
        var request = new FrameRequest { StartSeconds = 5, DurationSeconds = 1, Size = IndexedSize };
        var frames = await new VideoReader().ReadFramesAsync(files.Indexed, request).ToListAsync();

        Assert.Equal(24, frames.Count);
        Assert.Equal(5.0, frames[0].Timestamp, 9);
        Assert.Equal(MediaFiles.IndexedColor(120), frames[0].Pixel(0, 0));
        Assert.Equal(MediaFiles.IndexedColor(143), frames[^1].Pixel(0, 0));
        Assert.Equal(Enumerable.Range(0, 24), frames.Select(f => f.Index));
    }

    [Fact]
    public async Task MaxFrames_stops_the_stream_and_the_default_size_keeps_the_aspect_with_even_sides()
    {
        var frames = await new VideoReader().ReadFramesAsync(files.Cuts, new FrameRequest { MaxFrames = 3, Size = FrameSize.Fit(100) }).ToListAsync();

        Assert.Equal(3, frames.Count);
        Assert.All(frames, f => Assert.Equal((100, 74), (f.Width, f.Height))); // 320×240 → 100×75 → even 74
        Assert.Equal([0, 1 / 24.0, 2 / 24.0], frames.Select(f => f.Timestamp));
    }

    [Fact]
    public async Task Compressed_video_decodes_close_to_its_source_colours()
    {
        // cuts.mp4 is red from 2 s to 5 s and blue from 5 s to 7.5 s; yuv420p + H.264 move colours a little.
        var frames = await new VideoReader().ReadFramesAsync(files.Cuts, new FrameRequest { Fps = 1, Size = FrameSize.Fit(64) }).ToListAsync();

        Assert.Equal(10, frames.Count);
        AssertNear((255, 0, 0), frames[3].Pixel(32, 24), 6);
        AssertNear((0, 0, 255), frames[6].Pixel(32, 24), 6);
    }

    static void AssertNear((byte R, byte G, byte B) expected, (byte R, byte G, byte B) actual, int tolerance) =>
        Assert.True(Math.Abs(expected.R - actual.R) <= tolerance && Math.Abs(expected.G - actual.G) <= tolerance && Math.Abs(expected.B - actual.B) <= tolerance,
            $"expected {expected} ± {tolerance}, got {actual}");

    static bool AllPixels(VideoFrame f, (byte R, byte G, byte B) c)
    {
        for (int y = 0; y < f.Height; y++)
            for (int x = 0; x < f.Width; x++)
                if (f.Pixel(x, y) != c) return false;
        return true;
    }
}
