namespace Avocado.Media;

/// <summary>What one video or image may cost before any frame is decoded. Every violation is a
/// <see cref="MediaException"/> naming the file, the limit and the actual value. The defaults take a 3-hour 4K film
/// and refuse what would only be a mistake or an attack (a 100,000-pixel-wide PNG, a 50 GB upload).</summary>
public sealed record MediaLimits
{
    public static readonly MediaLimits Default = new();

    /// <summary>Longest video accepted, in seconds (default 4 hours).</summary>
    public double MaxDurationSeconds { get; init; } = 4 * 3600;

    /// <summary>Most frames one request hands out (a sampler's budget, or <see cref="FrameRequest.MaxFrames"/>); scene
    /// analysis reads more internally, one small frame at a time. Default 4,096.</summary>
    public int MaxFrames { get; init; } = 4096;

    /// <summary>Most pixels in one frame, of the source and of what is decoded (default 8K UHD, 7680×4320).</summary>
    public long MaxPixels { get; init; } = 7680L * 4320;

    /// <summary>Largest file accepted, in bytes (default 16 GiB: two hours of 1080p at 16 Mbit/s fit).</summary>
    public long MaxBytes { get; init; } = 16L << 30;

    /// <summary>How long ffprobe may take on one file before it is killed (default 30 s; it reads headers, not frames).</summary>
    public TimeSpan ProbeTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long ffmpeg may go without producing a frame before it is killed (default 60 s). A stall, not the
    /// total: decoding a 2-hour film legitimately takes minutes, but a decoder that waits forever never ends.</summary>
    public TimeSpan StallTimeout { get; init; } = TimeSpan.FromSeconds(60);

    internal void Validate()
    {
        if (!(MaxDurationSeconds > 0)) throw new ArgumentException($"MediaLimits.MaxDurationSeconds must be positive, got {MaxDurationSeconds}");
        if (MaxFrames < 1) throw new ArgumentException($"MediaLimits.MaxFrames must be at least 1, got {MaxFrames}");
        if (MaxPixels < 1) throw new ArgumentException($"MediaLimits.MaxPixels must be at least 1, got {MaxPixels}");
        if (MaxBytes < 1) throw new ArgumentException($"MediaLimits.MaxBytes must be at least 1, got {MaxBytes}");
        if (ProbeTimeout <= TimeSpan.Zero || StallTimeout <= TimeSpan.Zero) throw new ArgumentException("MediaLimits timeouts must be positive");
    }

    /// <summary>Checks a file before any decoder sees it: it exists, is a file, is not empty and is not too large.</summary>
    internal FileInfo CheckFile(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (Directory.Exists(path)) throw new MediaException(path, "is a directory, not a video or image file");
        var file = new FileInfo(path);
        if (!file.Exists) throw new MediaException(path, "file not found");
        if (file.Length == 0) throw new MediaException(path, "the file is empty (0 bytes)");
        if (file.Length > MaxBytes)
            throw new MediaException(path, $"the file is {file.Length:N0} bytes, over the limit MaxBytes = {MaxBytes:N0}");
        return file;
    }

    internal void CheckPixels(string path, int width, int height, string what)
    {
        long pixels = (long)width * height;
        if (pixels > MaxPixels)
            throw new MediaException(path, $"{what} is {width}×{height} = {pixels:N0} pixels, over the limit MaxPixels = {MaxPixels:N0}");
    }

    internal void CheckFrameCount(string path, long frames, string what)
    {
        if (frames > MaxFrames)
            throw new MediaException(path, $"{what} asks for {frames:N0} frames, over the limit MaxFrames = {MaxFrames:N0}");
    }
}
