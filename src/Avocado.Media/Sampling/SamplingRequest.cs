namespace Avocado.Media;

/// <summary>The three ways to choose frames from a video.</summary>
public enum SamplerKind
{
    /// <summary>N frames at the centres of N equal segments of the video (best for questions about the whole).</summary>
    Uniform,
    /// <summary>F frames per second at the centres of 1/F-second segments; when that is more than N, N of them evenly.</summary>
    Fps,
    /// <summary>One frame per scene, then the rest of the N shared by scene length (best for event questions).</summary>
    Scene,
}

/// <summary>What to sample: which sampler, the frame budget, and the frame size.</summary>
public sealed record SamplingRequest
{
    public SamplerKind Sampler { get; init; } = SamplerKind.Uniform;

    /// <summary>The budget N: at most this many frames (fewer when the video has fewer frames to give).</summary>
    public int MaxFrames { get; init; } = 32;

    /// <summary>Frames per second for <see cref="SamplerKind.Fps"/> (default 1); ignored by the others.</summary>
    public double? Fps { get; init; }

    public FrameSize Size { get; init; } = FrameSize.Default;

    public static SamplerKind ParseKind(string name) => name switch
    {
        "uniform" => SamplerKind.Uniform,
        "fps" => SamplerKind.Fps,
        "scene" => SamplerKind.Scene,
        _ => throw new ArgumentException($"sampler must be uniform, fps or scene, got '{name}'"),
    };

    internal void Validate(MediaLimits limits, string path)
    {
        if (MaxFrames < 1) throw new ArgumentException($"SamplingRequest.MaxFrames must be at least 1, got {MaxFrames}");
        limits.CheckFrameCount(path, MaxFrames, $"the {Sampler.ToString().ToLowerInvariant()} sampler");
        if (Fps is { } f && !(f > 0 && double.IsFinite(f))) throw new ArgumentException($"SamplingRequest.Fps must be positive, got {f}");
    }
}

/// <summary>A time the sampler wants a frame for, and the scene it falls in (null when scenes were not detected).</summary>
public sealed record PlannedFrame(double Time, int? Scene);

/// <summary>One sampled frame: <see cref="Index"/> counts the sample from 0 in time order, <see cref="Frame"/> is the
/// frame on screen at <see cref="TargetTime"/> (its own <see cref="VideoFrame.Timestamp"/> is at or just before it).</summary>
public sealed record SampledFrame(int Index, double TargetTime, int? Scene, VideoFrame Frame)
{
    public double Timestamp => Frame.Timestamp;
}
