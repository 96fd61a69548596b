using System.Runtime.CompilerServices;

namespace Avocado.Media;

/// <summary>Probes videos and streams their frames (ffmpeg/ffprobe as processes; see docs/VISION.md). One reader holds
/// the limits every file is checked against; it keeps no state between calls and may be shared.</summary>
public sealed class VideoReader
{
    public VideoReader(MediaLimits? limits = null)
    {
        Limits = limits ?? MediaLimits.Default;
        Limits.Validate();
    }

    public MediaLimits Limits { get; }

    /// <summary>Duration, rate, size, frame count, codec and whether there is video at all (ffprobe; headers only).</summary>
    public Task<VideoProbe> ProbeAsync(string path, CancellationToken ct = default) => VideoProber.ProbeAsync(path, Limits, ct);

    /// <summary>Decodes frames one at a time as the caller asks for them: a 2-hour video never sits in memory, and
    /// stopping early (break, cancel, dispose) kills ffmpeg.</summary>
    public async IAsyncEnumerable<VideoFrame> ReadFramesAsync(string path, FrameRequest request, [EnumeratorCancellation] CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        request.Validate();
        var probe = await ProbeAsync(path, ct);
        probe.RequireVideo(Limits);
        double end = Math.Min(probe.DurationSeconds, request.StartSeconds + (request.DurationSeconds ?? double.PositiveInfinity));
        if (request.StartSeconds >= probe.DurationSeconds)
            throw new ArgumentException($"{path}: FrameRequest.StartSeconds {request.StartSeconds} is past the end of the video ({probe.DurationSeconds:0.###} s)");
        var (width, height) = request.Size.Resolve(probe.Width, probe.Height, probe.PixelAspectRatio);
        if (request.MaxFrames is { } asked) Limits.CheckFrameCount(path, asked, "FrameRequest.MaxFrames");

        if (request.Fps is { } fps)
        {
            // Not ffmpeg's fps filter: it stamps each frame with its tick, not its own time (at 2 fps from 24 fps video
            // the frame shown at 0.21 s comes out as "0 s"). The grabber takes the frame on screen at each tick and
            // keeps that frame's real timestamp.
            long ticks = (long)Math.Ceiling((end - request.StartSeconds) * fps - 1e-9);
            if (request.MaxFrames is null) Limits.CheckFrameCount(path, ticks, $"decoding {end - request.StartSeconds:0.###} s at {fps:0.###} fps");
            int count = (int)Math.Min(ticks, request.MaxFrames ?? Limits.MaxFrames);
            var targets = Enumerable.Range(0, count).Select(k => request.StartSeconds + k / fps).ToArray();
            int index = 0;
            await foreach (var grab in FrameGrabber.GrabAsync(probe, targets, width, height, Limits, ct))
                yield return grab.Frame with { Index = index++ };
            yield break;
        }

        if (request.MaxFrames is null)
            Limits.CheckFrameCount(path, (long)Math.Ceiling((end - request.StartSeconds) * probe.Fps), $"decoding {end - request.StartSeconds:0.###} s at {probe.Fps:0.###} fps");
        var plan = new DecodePlan(width, height)
        {
            StartSeconds = request.StartSeconds,
            EndSeconds = request.DurationSeconds is null ? null : end,
            MaxFrames = request.MaxFrames ?? Limits.MaxFrames,
            // The last frame of a whole video lies within one frame interval of its end; allow a second for
            // containers whose duration runs a little past the last frame.
            CompleteBy = end - Math.Max(1.0, 2 / probe.Fps),
        };
        await foreach (var frame in FrameDecoder.DecodeAsync(probe, plan, Limits, reuseBuffer: false, ct)) yield return frame;
    }
}
