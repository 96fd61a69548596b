using System.Runtime.CompilerServices;

namespace Avocado.Media;

/// <summary>Decodes the frames on screen at given times, and only those, with as little decoding as it can.
///
/// Seek or decode through? Targets closer together than <see cref="RunGap"/> share one ffmpeg run that decodes through
/// the gap; a wider gap starts a new run with an input seek (ffmpeg jumps to the keyframe before and decodes from
/// there). Measured (bench/Avocado.Bench.Media, 2 cores): on light 720p video a seek costs 0.38 s (mostly starting
/// ffmpeg) and decoding through 0.020 s per second of video, so seeking pays from 19 s apart; on heavy 1080p video
/// (56 Mbit/s, keyframes 250 frames apart) a seek costs 4.1 s (half a GOP decoded on average) and decoding through
/// 0.93 s per second, so seeking pays from 4.4 s. 10 s, near the geometric middle, costs at most ~2.3× the better
/// choice on either, and a 2-hour video sampled at 32 points costs 32 seeks instead of decoding two hours.
///
/// Inside a run a <c>select</c> filter passes only the frames in a short window before each target (and the first
/// frame after the last, which ends the run), so frames nobody asked for are never scaled or piped.</summary>
internal static class FrameGrabber
{
    internal const double RunGap = 10;
    /// <summary>Targets per run: the select expression is evaluated for every decoded frame, so it stays short.</summary>
    internal const int MaxTargetsPerRun = 64;
    /// <summary>Frame times and targets are compared with this slack, so that a frame exactly at a target counts as
    /// at it whichever side of the decimal ffmpeg's double arithmetic lands.</summary>
    const double Slack = 1e-6;

    public sealed record Grab(double TargetTime, VideoFrame Frame);

    /// <summary>For each target time (increasing), the frame on screen then: the last frame at or before it (the first
    /// frame of the video for a time before it). One frame that covers several targets is handed out once.</summary>
    public static async IAsyncEnumerable<Grab> GrabAsync(VideoProbe probe, IReadOnlyList<double> targets, int width, int height, MediaLimits limits,
        [EnumeratorCancellation] CancellationToken ct, double runGap = RunGap)
    {
        // A window a little over one frame interval catches the frame on screen at a target in constant-rate video.
        double window = 1.5 / probe.Fps;
        double? lastHandedOut = null;
        foreach (var run in Runs(targets, runGap))
        {
            var plan = new DecodePlan(width, height)
            {
                StartSeconds = Math.Max(0, run[0] - window),
                PickFilter = SelectFilter(run, window),
                CompleteBy = run[^1] - Math.Max(1.0, 2 / probe.Fps),
            };
            byte[]? candidate = null;
            double candidateTime = double.NaN;
            bool candidateHandedOut = false;
            int next = 0;
            await foreach (var frame in FrameDecoder.DecodeAsync(probe, plan, limits, reuseBuffer: true, ct))
            {
                while (next < run.Count && frame.Timestamp > run[next] + Slack)
                {
                    // The frame on screen at run[next] is the candidate; without one (nothing decoded at or before the
                    // target, e.g. a long frame in variable-rate video), the first frame after it.
                    if (candidate is not null)
                    {
                        if (!candidateHandedOut && candidateTime != lastHandedOut)
                        {
                            yield return new Grab(run[next], new VideoFrame(0, candidateTime, width, height, candidate));
                            lastHandedOut = candidateTime;
                            candidateHandedOut = true;
                        }
                    }
                    else if (frame.Timestamp != lastHandedOut)
                    {
                        yield return new Grab(run[next], new VideoFrame(0, frame.Timestamp, width, height, frame.Rgb.ToArray()));
                        lastHandedOut = frame.Timestamp;
                    }
                    next++;
                }
                if (next == run.Count) break; // the frame after the last target: this run is done (disposal kills ffmpeg)
                if (candidate is null || candidateHandedOut) candidate = new byte[frame.Rgb.Length];
                frame.Rgb.CopyTo(candidate, 0);
                candidateTime = frame.Timestamp;
                candidateHandedOut = false;
            }
            // The video ended: what is left of the run falls after the last frame, which is on screen until the end
            // (FrameDecoder has checked that the last frame is near the targets, not a truncation).
            for (; next < run.Count; next++)
                if (candidate is not null && !candidateHandedOut && candidateTime != lastHandedOut)
                {
                    yield return new Grab(run[next], new VideoFrame(0, candidateTime, width, height, candidate));
                    lastHandedOut = candidateTime;
                    candidateHandedOut = true;
                }
        }
    }

    /// <summary>Consecutive targets at most <paramref name="runGap"/> apart, at most <see cref="MaxTargetsPerRun"/> a run.</summary>
    internal static IEnumerable<List<double>> Runs(IReadOnlyList<double> targets, double runGap = RunGap)
    {
        var run = new List<double>();
        foreach (var t in targets)
        {
            if (run.Count > 0 && t < run[^1]) throw new ArgumentException("target times must not decrease");
            if (run.Count > 0 && (t - run[^1] > runGap || run.Count == MaxTargetsPerRun))
            {
                yield return run;
                run = [];
            }
            run.Add(t);
        }
        if (run.Count > 0) yield return run;
    }

    /// <summary>select='between(t,T₁−w,T₁)+…+gt(t,Tₙ)': the frames in each target's window, and the first after the last.</summary>
    internal static string SelectFilter(IReadOnlyList<double> run, double window) =>
        "select='" + string.Concat(run.Select(t => $"between(t,{FrameDecoder.Seconds(t - window)},{FrameDecoder.Seconds(t + Slack)})+"))
        + $"gt(t,{FrameDecoder.Seconds(run[^1] + Slack)})'";
}
