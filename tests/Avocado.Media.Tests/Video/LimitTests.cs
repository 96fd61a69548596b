namespace Avocado.Media.Tests.Video;

/// <summary>Each limit, when crossed, names the file, the limit and the actual value.</summary>
public sealed class LimitTests
{
    readonly MediaFiles files = MediaFiles.Shared;

    static async Task<MediaException> ReadFails(MediaLimits limits, string path, FrameRequest request) =>
        await Assert.ThrowsAsync<MediaException>(async () => await new VideoReader(limits).ReadFramesAsync(path, request).ToListAsync());

    [Fact]
    public async Task Duration()
    {
        var e = await ReadFails(new MediaLimits { MaxDurationSeconds = 5 }, files.Cuts, new FrameRequest { MaxFrames = 1 });
        Assert.Equal($"{files.Cuts}: the video is 10 s long, over the limit MaxDurationSeconds = 5", e.Message);
    }

    [Fact]
    public async Task Pixels_of_the_source_and_of_the_decoded_frame()
    {
        var source = await ReadFails(new MediaLimits { MaxPixels = 320 * 239 }, files.Cuts, new FrameRequest { MaxFrames = 1, Size = FrameSize.Fit(64) });
        Assert.Equal($"{files.Cuts}: a frame of the video is 320×240 = 76,800 pixels, over the limit MaxPixels = 76,480", source.Message);

        var output = await ReadFails(MediaLimits.Default, files.Cuts, new FrameRequest { MaxFrames = 1, Size = FrameSize.Exact(10_000, 10_000) });
        Assert.Contains("a decoded frame is 10000×10000 = 100,000,000 pixels, over the limit MaxPixels = 33,177,600", output.Message);
    }

    [Fact]
    public async Task Bytes()
    {
        long size = new FileInfo(files.Cuts).Length;
        var e = await ReadFails(new MediaLimits { MaxBytes = 1000 }, files.Cuts, new FrameRequest { MaxFrames = 1 });
        Assert.Equal($"{files.Cuts}: the file is {size:N0} bytes, over the limit MaxBytes = 1,000", e.Message);
    }

    [Fact]
    public async Task Frames_asked_for_or_implied_by_decoding_everything()
    {
        var limits = new MediaLimits { MaxFrames = 100 };
        var asked = await ReadFails(limits, files.Cuts, new FrameRequest { MaxFrames = 101 });
        Assert.Equal($"{files.Cuts}: FrameRequest.MaxFrames asks for 101 frames, over the limit MaxFrames = 100", asked.Message);

        var everything = await ReadFails(limits, files.Cuts, new FrameRequest());
        Assert.Equal($"{files.Cuts}: decoding 10 s at 24 fps asks for 240 frames, over the limit MaxFrames = 100", everything.Message);

        var sampled = await Assert.ThrowsAsync<MediaException>(async () =>
            await new VideoSampler(limits).SampleAsync(files.Cuts, new SamplingRequest { MaxFrames = 500 }).ToListAsync());
        Assert.Equal($"{files.Cuts}: the uniform sampler asks for 500 frames, over the limit MaxFrames = 100", sampled.Message);
    }

    [Fact]
    public async Task Within_the_limits_the_same_requests_decode()
    {
        var limits = new MediaLimits { MaxDurationSeconds = 10, MaxFrames = 240, MaxPixels = 320 * 240, MaxBytes = new FileInfo(files.Cuts).Length };
        var frames = await new VideoReader(limits).ReadFramesAsync(files.Cuts, new FrameRequest { Size = FrameSize.Fit(32) }).ToListAsync();
        Assert.Equal(240, frames.Count);
    }
}
