using System.Globalization;
using System.Runtime.CompilerServices;
using Avocado.Media.Ffmpeg;

namespace Avocado.Media;

/// <summary>How one ffmpeg run decodes: from where, which frames (a filter placed before scaling, so dropped frames
/// are never scaled), to what size, and when to stop.</summary>
internal sealed record DecodePlan(int Width, int Height)
{
    public double StartSeconds { get; init; }
    /// <summary>Frames at or after this time are not wanted: reading stops and ffmpeg is killed.</summary>
    public double? EndSeconds { get; init; }
    /// <summary>"fps=2" or "select='…'", or null for every frame.</summary>
    public string? PickFilter { get; init; }
    /// <summary>swscale flags: quality for frames a model will see, speed (area) for analysis thumbnails.</summary>
    public string ScaleFlags { get; init; } = "bicubic+accurate_rnd+full_chroma_int";
    public int? MaxFrames { get; init; }
    /// <summary>When ffmpeg ends on its own, its last frame must be at or after this time, else the file is truncated
    /// or corrupt (ffmpeg exits 0 on a cut-off MP4 whose index is at the front); null skips the check.</summary>
    public double? CompleteBy { get; init; }
}

/// <summary>Streams raw RGB24 frames out of one ffmpeg process: exactly W·H·3 bytes per frame, each paired with its
/// showinfo timestamp. Memory is one frame (or one per frame handed out), never the video.</summary>
internal static class FrameDecoder
{
    /// <param name="reuseBuffer">true: every frame shares one buffer, valid until the next frame is requested (for
    /// analysis that reads thousands of thumbnails and keeps none).</param>
    public static async IAsyncEnumerable<VideoFrame> DecodeAsync(VideoProbe probe, DecodePlan plan, MediaLimits limits, bool reuseBuffer,
        [EnumeratorCancellation] CancellationToken ct)
    {
        limits.CheckPixels(probe.Path, plan.Width, plan.Height, "a decoded frame");
        int frameBytes = checked(plan.Width * plan.Height * 3);
        var shared = reuseBuffer ? new byte[frameBytes] : null;
        await using var ffmpeg = FfmpegProcess.Start(FfmpegTools.Ffmpeg, Arguments(probe.Path, plan), probe.Path, limits.StallTimeout, ct);
        int index = 0;
        double last = double.NaN;
        bool stoppedEarly = false;
        while (true)
        {
            if (plan.MaxFrames is { } max && index >= max) { stoppedEarly = true; break; }
            var rgb = shared ?? new byte[frameBytes];
            if (!await ffmpeg.ReadExactlyAsync(rgb, frameBytes, ct)) break;
            double t = await ffmpeg.NextFrameTimeAsync(ct);
            // Strict on purpose: a concealed, half-grey frame is worse than no frame in a training set. Valid files
            // never trip this: after a seek the decoder withholds frames that lack their references.
            if (ffmpeg.DamagedFrames > 0) throw new MediaException(probe.Path, FfmpegErrors.CorruptVideo + ffmpeg.Detail());
            if (plan.EndSeconds is { } end && t >= end) { stoppedEarly = true; break; }
            last = t;
            yield return new VideoFrame(index++, t, plan.Width, plan.Height, rgb);
        }
        if (stoppedEarly) yield break; // disposal kills ffmpeg; what it would still say does not matter

        await ffmpeg.WaitForExitAsync(ct, checkExitCode: true);
        if (index == 0 && plan.CompleteBy is not null)
            throw new MediaException(probe.Path, plan.StartSeconds > 0
                ? $"truncated or corrupt: no frame could be decoded at or after {plan.StartSeconds:0.###} s of {probe.DurationSeconds:0.###} s{ffmpeg.Detail()}"
                : $"no frame could be decoded{ffmpeg.Detail()}");
        if (plan.CompleteBy is { } completeBy && last < completeBy)
            throw new MediaException(probe.Path,
                $"truncated or corrupt: frames stop at {last:0.###} s of {probe.DurationSeconds:0.###} s{ffmpeg.Detail()}");
    }

    static List<string> Arguments(string path, DecodePlan plan)
    {
        var args = new List<string>(FfmpegTools.CommonArguments);
        if (plan.StartSeconds > 0) args.AddRange(["-ss", Seconds(plan.StartSeconds)]);
        // Keep the file's own clock (shifted to start at 0), so a seek reports where it landed, not 0.
        args.AddRange(["-copyts", "-start_at_zero"]);
        args.AddRange(["-i", InputUrl(path), "-map", "0:v:0", "-an", "-sn", "-dn"]);
        var filters = new List<string>();
        if (plan.PickFilter is { } pick) filters.Add(pick);
        filters.Add($"scale={plan.Width}:{plan.Height}:flags={plan.ScaleFlags}");
        filters.AddRange(["setsar=1", "format=rgb24", "showinfo=checksum=0"]);
        args.AddRange(["-vf", string.Join(',', filters)]);
        // rawvideo would otherwise get constant-rate output, which repeats or drops frames to fill the nominal rate.
        args.AddRange(["-fps_mode", "passthrough"]);
        if (plan.MaxFrames is { } max) args.AddRange(["-frames:v", max.ToString(CultureInfo.InvariantCulture)]);
        args.AddRange(["-f", "rawvideo", "-pix_fmt", "rgb24", "pipe:1"]);
        return args;
    }

    /// <summary>"file:/abs/path": a name like "http://…" or "concat:a|b" is then a file name, never a protocol.</summary>
    internal static string InputUrl(string path) => "file:" + Path.GetFullPath(path);

    internal static string Seconds(double s) => s.ToString("0.######", CultureInfo.InvariantCulture);
}
