using System.Runtime.CompilerServices;

namespace Avocado.Media;

/// <summary>Samples frames from a video: the sampler chooses the times first (<see cref="SamplePlanner"/>), then only
/// the frames on screen at those times are decoded (<see cref="FrameGrabber"/>), one at a time.</summary>
public sealed class VideoSampler
{
    readonly VideoReader _reader;
    readonly SceneDetector _scenes;

    public VideoSampler(MediaLimits? limits = null, SceneDetectionOptions? sceneOptions = null)
    {
        _reader = new VideoReader(limits);
        _scenes = new SceneDetector(_reader.Limits, sceneOptions);
    }

    public MediaLimits Limits => _reader.Limits;

    /// <summary>The sampled frames in time order, each with its target time and scene index.</summary>
    /// <param name="scenes">The video's scenes when already known (from <see cref="SceneDetector"/>); the scene sampler
    /// detects them when not given; the other samplers then leave <see cref="SampledFrame.Scene"/> null.</param>
    public async IAsyncEnumerable<SampledFrame> SampleAsync(string path, SamplingRequest request, IReadOnlyList<Scene>? scenes = null,
        [EnumeratorCancellation] CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        request.Validate(Limits, path);
        var probe = await _reader.ProbeAsync(path, ct);
        probe.RequireVideo(Limits);
        if (request.Sampler == SamplerKind.Scene && scenes is null) scenes = await _scenes.DetectAsync(probe, null, ct);
        var plan = SamplePlanner.Plan(request, probe.DurationSeconds, scenes);
        var (width, height) = request.Size.Resolve(probe.Width, probe.Height, probe.PixelAspectRatio);

        int index = 0, planned = 0;
        await foreach (var grab in FrameGrabber.GrabAsync(probe, [.. plan.Select(p => p.Time)], width, height, Limits, ct))
        {
            while (plan[planned].Time != grab.TargetTime) planned++;
            yield return new SampledFrame(index, grab.TargetTime, plan[planned].Scene, grab.Frame with { Index = index });
            index++;
        }
    }
}
