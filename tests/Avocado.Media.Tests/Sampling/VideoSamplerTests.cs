namespace Avocado.Media.Tests.Sampling;

/// <summary>Sampling real files: the frame on screen at each target time, decoded by seeking or by decoding through.
/// indexed.nut is lossless and frame i has a colour that encodes i, so each sampled frame proves which frame it is.</summary>
public sealed class VideoSamplerTests
{
    readonly MediaFiles files = MediaFiles.Shared;

    static readonly FrameSize IndexedSize = FrameSize.Exact(MediaFiles.IndexedWidth, MediaFiles.IndexedHeight);

    /// <summary>The frame on screen at t in a 24-fps video starting at 0.</summary>
    static int FrameAt(double t) => (int)Math.Floor(t * MediaFiles.IndexedFps + 1e-9);

    [Theory]
    [InlineData(SamplerKind.Uniform, 8, null)]
    [InlineData(SamplerKind.Fps, 64, 3.0)]
    [InlineData(SamplerKind.Fps, 7, 3.0)]
    public async Task Each_sample_is_the_frame_on_screen_at_its_target(SamplerKind sampler, int budget, double? fps)
    {
        var request = new SamplingRequest { Sampler = sampler, MaxFrames = budget, Fps = fps, Size = IndexedSize };
        var probe = await new VideoReader().ProbeAsync(files.Indexed);
        var plan = SamplePlanner.Plan(request, probe.DurationSeconds);

        var samples = await new VideoSampler().SampleAsync(files.Indexed, request).ToListAsync();

        Assert.Equal(plan.Count, samples.Count);
        Assert.Equal(Enumerable.Range(0, samples.Count), samples.Select(s => s.Index));
        foreach (var (sample, planned) in samples.Zip(plan))
        {
            int frame = FrameAt(planned.Time);
            Assert.Equal(planned.Time, sample.TargetTime);
            Assert.Equal(frame / MediaFiles.IndexedFps, sample.Timestamp, 9);
            Assert.Equal(MediaFiles.IndexedColor(frame), sample.Frame.Pixel(5, 5));
            Assert.Null(sample.Scene);
        }
    }

    [Fact]
    public async Task Seeking_to_each_target_and_decoding_through_give_the_same_frames()
    {
        var probe = await new VideoReader().ProbeAsync(files.Cuts);
        double[] targets = [0.01, 0.9, 2.0, 2.05, 4.99, 5.0, 7.52, 9.99];

        async Task<List<FrameGrabber.Grab>> Grab(double runGap) =>
            await FrameGrabber.GrabAsync(probe, targets, 80, 60, MediaLimits.Default, CancellationToken.None, runGap).ToListAsync();
        var seeking = await Grab(runGap: 0);     // a new ffmpeg and an input seek for every target
        var through = await Grab(runGap: 1000);  // one ffmpeg decoding from the first target to the last

        Assert.Equal(targets.Length, seeking.Count);
        Assert.Equal(seeking.Select(g => (g.TargetTime, g.Frame.Timestamp)), through.Select(g => (g.TargetTime, g.Frame.Timestamp)));
        Assert.All(seeking.Zip(through), p => Assert.Equal(p.First.Frame.Rgb, p.Second.Frame.Rgb));
        Assert.Equal([0, 21, 48, 49, 119, 120, 180, 239], seeking.Select(g => (int)Math.Round(g.Frame.Timestamp * 24)));
    }

    [Fact]
    public async Task Targets_that_share_a_frame_get_it_once()
    {
        var probe = await new VideoReader().ProbeAsync(files.Indexed);
        var grabs = await FrameGrabber.GrabAsync(probe, [1.0, 1.01, 1.02, 1.05], 8, 6, MediaLimits.Default, CancellationToken.None).ToListAsync();

        Assert.Equal([1.0, 1.05], grabs.Select(g => g.TargetTime));
        Assert.Equal([24, 25], grabs.Select(g => FrameAt(g.Frame.Timestamp)));
    }

    [Fact]
    public async Task The_scene_sampler_gives_every_scene_a_frame_and_tags_each_with_its_scene()
    {
        var request = new SamplingRequest { Sampler = SamplerKind.Scene, MaxFrames = 8, Size = FrameSize.Fit(64) };
        var samples = await new VideoSampler().SampleAsync(files.Cuts, request).ToListAsync();

        Assert.Equal(8, samples.Count);
        Assert.Equal([0, 0, 1, 1, 2, 2, 3, 3], samples.Select(s => s.Scene!.Value));
        Assert.Equal([0.5, 1.5, 2.75, 4.25, 5.625, 6.875, 8.125, 9.375], samples.Select(s => s.TargetTime));
        // Scene 1 is red, scene 2 blue: the pictures agree with the tags.
        Assert.All(samples.Where(s => s.Scene == 1), s => Assert.True(s.Frame.Pixel(32, 24).R > 240));
        Assert.All(samples.Where(s => s.Scene == 2), s => Assert.True(s.Frame.Pixel(32, 24).B > 240));
        Assert.All(samples, s => Assert.True(s.Timestamp <= s.TargetTime && s.TargetTime - s.Timestamp < 1 / 24.0 + 1e-9));
    }

    [Fact]
    public async Task Scenes_passed_in_tag_uniform_samples_without_detecting_again()
    {
        var scenes = SceneDetector.FromCuts([5.0], 10);
        var request = new SamplingRequest { Sampler = SamplerKind.Uniform, MaxFrames = 4, Size = FrameSize.Fit(32) };
        var samples = await new VideoSampler().SampleAsync(files.Cuts, request, scenes).ToListAsync();

        Assert.Equal([0, 0, 1, 1], samples.Select(s => s.Scene!.Value));
    }
}
