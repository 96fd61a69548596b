namespace Avocado.Media;

/// <summary>What ffprobe says about a file's first video stream (cover art in an audio file does not count). Width and
/// Height are as displayed: a phone video stored 1920×1080 with a 90° rotation reports 1080×1920, as ffmpeg decodes
/// it. Duration is the video stream's own when the container records it, else the container's.</summary>
public sealed record VideoProbe
{
    public required string Path { get; init; }
    public required bool HasVideo { get; init; }
    public bool HasAudio { get; init; }
    /// <summary>The container as ffmpeg names it ("mov,mp4,m4a,3gp,3g2,mj2", "matroska,webm", …).</summary>
    public string Container { get; init; } = "";
    /// <summary>The video codec ("h264", "vp9", …); empty without video.</summary>
    public string Codec { get; init; } = "";
    public double DurationSeconds { get; init; }
    /// <summary>Average frames per second (the nominal rate where the average is unknown).</summary>
    public double Fps { get; init; }
    public int Width { get; init; }
    public int Height { get; init; }
    /// <summary>Width of one stored pixel over its height (1 except for anamorphic video); sizes keep width×this.</summary>
    public double PixelAspectRatio { get; init; } = 1;
    /// <summary>Frames in the stream: the container's count, else duration × fps rounded (stated: <see cref="FrameCountIsExact"/>).</summary>
    public long FrameCount { get; init; }
    public bool FrameCountIsExact { get; init; }

    /// <summary>Throws unless there is a video that fits <paramref name="limits"/>; every decode starts here.</summary>
    public void RequireVideo(MediaLimits limits)
    {
        if (!HasVideo)
            throw new MediaException(Path, HasAudio ? "has no video stream (audio only)" : "has no video stream");
        if (Width <= 0 || Height <= 0) throw new MediaException(Path, $"the video stream has no frame size ({Width}×{Height})");
        if (!(Fps > 0) || !double.IsFinite(Fps)) throw new MediaException(Path, "the video stream has no frame rate");
        if (!(DurationSeconds > 0) || !double.IsFinite(DurationSeconds)) throw new MediaException(Path, "the video's duration is unknown or zero");
        if (DurationSeconds > limits.MaxDurationSeconds)
            throw new MediaException(Path, $"the video is {DurationSeconds:0.###} s long, over the limit MaxDurationSeconds = {limits.MaxDurationSeconds:0.###}");
        limits.CheckPixels(Path, Width, Height, "a frame of the video");
    }
}
