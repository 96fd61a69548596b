namespace Avocado.Media;

/// <summary>The size decoded frames come out at. <see cref="Fit"/> (the default) keeps the aspect ratio and only
/// shrinks: the longest side at most MaxSide, the area at most MaxPixels, both sides even (what yuv420 encoders and
/// 2×2-merging vision towers want). <see cref="Exact"/> gives W×H as asked, aspect ignored (Gemma 3 squares to 896²).
/// <see cref="Source"/> keeps the video's own size.</summary>
public sealed record FrameSize
{
    /// <summary>Fit in 512 px: enough for a vision tower's 448–896 px input, small enough to keep many frames.</summary>
    public static readonly FrameSize Default = Fit(512);

    public static readonly FrameSize Source = new();

    public int? Width { get; private init; }
    public int? Height { get; private init; }
    public int? MaxSide { get; private init; }
    public long? MaxPixels { get; private init; }

    public static FrameSize Exact(int width, int height)
    {
        if (width < 1 || height < 1) throw new ArgumentException($"a frame size needs positive sides, got {width}×{height}");
        return new FrameSize { Width = width, Height = height };
    }

    public static FrameSize Fit(int maxSide, long? maxPixels = null)
    {
        if (maxSide < 2) throw new ArgumentException($"MaxSide must be at least 2, got {maxSide}");
        if (maxPixels is < 4) throw new ArgumentException($"MaxPixels must be at least 4, got {maxPixels}");
        return new FrameSize { MaxSide = maxSide, MaxPixels = maxPixels };
    }

    /// <summary>The output size for a source of <paramref name="width"/>×<paramref name="height"/> stored pixels, each
    /// <paramref name="pixelAspect"/> times as wide as tall.</summary>
    public (int Width, int Height) Resolve(int width, int height, double pixelAspect = 1)
    {
        if (Width is { } w && Height is { } h) return (w, h);
        double displayWidth = width * (pixelAspect > 0 ? pixelAspect : 1), displayHeight = height;
        if (MaxSide is null && MaxPixels is null) return ((int)Math.Round(displayWidth), height);
        double scale = 1;
        if (MaxSide is { } side) scale = Math.Min(scale, side / Math.Max(displayWidth, displayHeight));
        if (MaxPixels is { } pixels) scale = Math.Min(scale, Math.Sqrt(pixels / (displayWidth * displayHeight)));
        return (Even(displayWidth * scale), Even(displayHeight * scale));
    }

    /// <summary>Down to even, never below 2: rounding down keeps both bounds.</summary>
    static int Even(double side) => Math.Max(2, 2 * (int)Math.Floor(side / 2 + 1e-9));

    public override string ToString() =>
        Width is { } w ? $"{w}×{Height}" : MaxSide is null && MaxPixels is null ? "source size" : $"fit in {MaxSide} px" + (MaxPixels is { } p ? $", {p:N0} pixels" : "");
}
