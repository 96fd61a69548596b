namespace Avocado.Media.Tests.Video;

/// <summary>Every way a file can be unusable ends in a <see cref="MediaException"/> that names the file and the reason
/// — from probing, decoding and sampling alike — never in a hang or a crash.</summary>
public sealed class BadInputTests
{
    readonly MediaFiles files = MediaFiles.Shared;

    public static TheoryData<string, string> Cases() => new()
    {
        { "missing", "file not found" },
        { "directory", "is a directory, not a video or image file" },
        { "empty", "the file is empty (0 bytes)" },
        { "text", "not a video or image: ffmpeg does not recognise its content" },
        { "truncated", "truncated or unfinished MP4: its index (moov atom) is missing" },
        { "truncated-faststart", "truncated or corrupt: frames stop at" },
        { "corrupt", "corrupt video: frames could not be decoded" },
        { "audio-only", "has no video stream (audio only)" },
        { "image", "is a still image (png), not a video: decode it as an image" },
    };

    string PathOf(string name) => name switch
    {
        "missing" => files.PathFor("no-such-video.mp4"),
        "directory" => Path.GetDirectoryName(files.Cuts)!,
        "empty" => files.Empty,
        "text" => files.NotAVideo,
        "truncated" => files.TruncatedIndexAtEnd,
        "truncated-faststart" => files.TruncatedIndexAtFront,
        "corrupt" => files.Corrupt,
        "audio-only" => files.AudioOnly,
        "image" => files.Png,
        _ => throw new ArgumentException(name),
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Reading_frames_names_the_file_and_the_reason(string name, string reason)
    {
        var path = PathOf(name);
        var e = await Assert.ThrowsAsync<MediaException>(async () =>
            await new VideoReader().ReadFramesAsync(path, new FrameRequest { Size = FrameSize.Fit(64) }).ToListAsync());

        Assert.StartsWith(path + ": ", e.Message);
        Assert.Contains(reason, e.Message);
        Assert.Equal(path, e.Path);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Sampling_names_the_file_and_the_reason(string name, string reason)
    {
        var path = PathOf(name);
        var request = new SamplingRequest { Sampler = SamplerKind.Uniform, MaxFrames = 8, Size = FrameSize.Fit(64) };
        var e = await Assert.ThrowsAsync<MediaException>(async () => await new VideoSampler().SampleAsync(path, request).ToListAsync());

        Assert.StartsWith(path + ": ", e.Message);
        // A sampler seeks: past the cut of a truncated file there is no frame at all.
        Assert.Contains(name == "truncated-faststart" ? "truncated or corrupt" : reason, e.Message);
    }

    [Fact]
    public async Task A_truncated_file_says_where_its_frames_stop()
    {
        var e = await Assert.ThrowsAsync<MediaException>(async () =>
            await new VideoReader().ReadFramesAsync(files.TruncatedIndexAtFront, new FrameRequest { Size = FrameSize.Fit(64) }).ToListAsync());

        Assert.Matches(@"frames stop at [0-9.]+ s of 10 s \(ffmpeg: .*partial file", e.Message);
    }
}
