namespace Avocado.Media;

/// <summary>One decoded frame: <see cref="Rgb"/> holds Width × Height pixels, row-major, 3 bytes each (R, G, B).
/// <see cref="Index"/> counts the frames of one request from 0; <see cref="Timestamp"/> is the frame's presentation
/// time in seconds from the start of the video.</summary>
public sealed record VideoFrame(int Index, double Timestamp, int Width, int Height, byte[] Rgb)
{
    /// <summary>The (R, G, B) of pixel (x, y).</summary>
    public (byte R, byte G, byte B) Pixel(int x, int y)
    {
        int i = (y * Width + x) * 3;
        return (Rgb[i], Rgb[i + 1], Rgb[i + 2]);
    }
}

/// <summary>Which frames <see cref="VideoReader.ReadFramesAsync"/> decodes and at what size.</summary>
public sealed record FrameRequest
{
    /// <summary>Frames per second to take: the frame on screen at each tick Start + k/Fps, with its own timestamp (a
    /// frame on screen at two ticks comes once); null takes every frame at the video's own rate.</summary>
    public double? Fps { get; init; }

    public FrameSize Size { get; init; } = FrameSize.Default;

    /// <summary>Stop after this many frames; null decodes to the end, refused when that would exceed
    /// <see cref="MediaLimits.MaxFrames"/>.</summary>
    public int? MaxFrames { get; init; }

    /// <summary>Start at the first frame at or after this time (an input seek: ffmpeg jumps to the keyframe before and
    /// decodes forward from there, it does not decode the whole beginning).</summary>
    public double StartSeconds { get; init; }

    /// <summary>Stop before this many seconds after <see cref="StartSeconds"/>; null runs to the end.</summary>
    public double? DurationSeconds { get; init; }

    internal void Validate()
    {
        if (Fps is { } f && !(f > 0 && double.IsFinite(f))) throw new ArgumentException($"FrameRequest.Fps must be positive, got {f}");
        if (MaxFrames is < 1) throw new ArgumentException($"FrameRequest.MaxFrames must be at least 1, got {MaxFrames}");
        if (!(StartSeconds >= 0 && double.IsFinite(StartSeconds))) throw new ArgumentException($"FrameRequest.StartSeconds must be ≥ 0, got {StartSeconds}");
        if (DurationSeconds is { } d && !(d > 0 && double.IsFinite(d))) throw new ArgumentException($"FrameRequest.DurationSeconds must be positive, got {d}");
    }
}
