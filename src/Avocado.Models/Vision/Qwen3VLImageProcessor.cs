// Qwen3-VL's image and video preprocessing. Reference: transformers models/qwen2_vl/image_processing_qwen2_vl.py
// (smart_resize, _preprocess: Qwen3-VL reuses it with patch 16) and models/qwen3_vl/video_processing_qwen3_vl.py
// (the video smart_resize, patchify).
using Avocado.Models.Config;
using TorchSharp;
using static TorchSharp.torch;

namespace Avocado.Models.Vision;

/// <summary>One image or video cut into flattened patches for the tower: <see cref="Values"/> holds
/// (grid T·H·W) rows of C·T·p·p floats, in merge-block order.</summary>
public sealed record VisionPatches(float[] Values, VisionGrid Grid, int PatchWidth)
{
    /// <summary>(T·H·W, C·T·p·p) float32.</summary>
    public Tensor ToTensor(Device? device = null) => tensor(Values, [Grid.Patches, PatchWidth], ScalarType.Float32, device);
}

/// <summary>RGB24 pixels → resized (a multiple of patch·merge on each side), rescaled, normalised, patchified.
/// Defaults are Qwen3-VL's published preprocessor_config.json: patch 16, merge 2, temporal 2, 256²..4096² pixels,
/// bicubic, mean = std = 0.5.</summary>
public sealed record Qwen3VLImageProcessor
{
    public int PatchSize { get; init; } = 16;
    public int MergeSize { get; init; } = 2;
    public int TemporalPatchSize { get; init; } = 2;
    /// <summary>size.shortest_edge: despite the name, a bound on H·W.</summary>
    public long MinPixels { get; init; } = 65536;
    /// <summary>size.longest_edge: a bound on H·W.</summary>
    public long MaxPixels { get; init; } = 16777216;
    public ResizeFilter Filter { get; init; } = ResizeFilter.Bicubic;
    public float[] Mean { get; init; } = [0.5f, 0.5f, 0.5f];
    public float[] Std { get; init; } = [0.5f, 0.5f, 0.5f];

    /// <summary>Sides are multiples of this: one merged token covers factor × factor pixels.</summary>
    public int Factor => PatchSize * MergeSize;

    /// <summary>The processor matching a tower's patch geometry, other settings at their defaults.</summary>
    public static Qwen3VLImageProcessor For(Qwen3VLVisionConfig c) =>
        new() { PatchSize = c.PatchSize, MergeSize = c.SpatialMergeSize, TemporalPatchSize = c.TemporalPatchSize };

    /// <summary>transformers' image <c>smart_resize</c>: each side rounded (half to even, as Python's round) to a
    /// multiple of <paramref name="factor"/>; if the area leaves [min, max], both sides are scaled by one factor
    /// β (floor when shrinking, ceil when growing) so the aspect ratio is kept as closely as possible.</summary>
    public static (int Height, int Width) SmartResize(int height, int width, int factor, long minPixels, long maxPixels)
    {
        if (height < factor || width < factor)
            throw new ArgumentException($"image {width}×{height} is smaller than the factor {factor} on one side (transformers refuses it too)");
        CheckAspect(height, width);
        int h = RoundToFactor(height, factor), w = RoundToFactor(width, factor);
        if ((long)h * w > maxPixels)
        {
            double beta = Math.Sqrt((double)((long)height * width) / maxPixels);
            h = Math.Max(factor, (int)Math.Floor(height / beta / factor) * factor);
            w = Math.Max(factor, (int)Math.Floor(width / beta / factor) * factor);
        }
        else if ((long)h * w < minPixels)
        {
            double beta = Math.Sqrt(minPixels / (double)((long)height * width));
            h = (int)Math.Ceiling(height * beta / factor) * factor;
            w = (int)Math.Ceiling(width * beta / factor) * factor;
        }
        return (h, w);
    }

    /// <summary>The video processor's <c>smart_resize</c>: as for images, but the pixel bounds hold for all frames
    /// together (frames rounded to a multiple of <paramref name="temporalFactor"/>), and frames smaller than the
    /// factor are first scaled up (truncating) instead of refused.</summary>
    public static (int Height, int Width) SmartResizeVideo(int frames, int height, int width, int temporalFactor, int factor,
        long minPixels, long maxPixels)
    {
        if (frames < temporalFactor) throw new ArgumentException($"a video needs at least {temporalFactor} frames, got {frames}", nameof(frames));
        if (height < factor || width < factor)
        {
            double scale = Math.Max((double)factor / height, (double)factor / width);
            height = (int)(height * scale);
            width = (int)(width * scale);
        }
        CheckAspect(height, width);
        int h = RoundToFactor(height, factor), w = RoundToFactor(width, factor);
        long t = (long)Math.Round((double)frames / temporalFactor, MidpointRounding.ToEven) * temporalFactor;
        double volume = (double)frames * height * width;
        if (t * h * w > maxPixels)
        {
            double beta = Math.Sqrt(volume / maxPixels);
            h = Math.Max(factor, (int)Math.Floor(height / beta / factor) * factor);
            w = Math.Max(factor, (int)Math.Floor(width / beta / factor) * factor);
        }
        else if (t * h * w < minPixels)
        {
            double beta = Math.Sqrt(minPixels / volume);
            h = (int)Math.Ceiling(height * beta / factor) * factor;
            w = (int)Math.Ceiling(width * beta / factor) * factor;
        }
        return (h, w);
    }

    static int RoundToFactor(int size, int factor) => (int)Math.Round((double)size / factor, MidpointRounding.ToEven) * factor;

    static void CheckAspect(int height, int width)
    {
        if ((double)Math.Max(height, width) / Math.Min(height, width) > 200)
            throw new ArgumentException($"image {width}×{height}: the aspect ratio must be at most 200 (transformers' limit)");
    }

    /// <summary>One still image (RGB24, row-major): smart-resized, normalised, and duplicated to fill the temporal
    /// patch (a still is a video of T identical frames); grid T = 1.</summary>
    public VisionPatches PreprocessImage(ReadOnlySpan<byte> rgb, int width, int height)
    {
        var (h, w) = SmartResize(height, width, Factor, MinPixels, MaxPixels);
        return Patchify([Normalize(rgb, width, height, w, h)], h, w);
    }

    /// <summary>Frames of one video, all <paramref name="width"/>×<paramref name="height"/> RGB24, resized to one
    /// video smart size (bounds over all frames; defaults are transformers' Qwen3VLVideoProcessor.size). A frame
    /// count that is not a multiple of T is padded by repeating the last frame; grid T = frames / T.</summary>
    public VisionPatches PreprocessVideo(IReadOnlyList<byte[]> frames, int width, int height,
        long minPixels = 128 * 32 * 32, long maxPixels = 768 * 32 * 32)
    {
        if (frames.Count == 0) throw new ArgumentException("a video needs at least one frame", nameof(frames));
        var (h, w) = SmartResizeVideo(frames.Count, height, width, TemporalPatchSize, Factor, minPixels, maxPixels);
        return Patchify(frames.Select(f => Normalize(f, width, height, w, h)).ToList(), h, w);
    }

    float[] Normalize(ReadOnlySpan<byte> rgb, int width, int height, int newWidth, int newHeight)
    {
        var resized = ImagePreprocessing.Resize(rgb, width, height, newWidth, newHeight, Filter);
        return ImagePreprocessing.RescaleAndNormalize(resized, newWidth, newHeight, 1 / 255.0, Mean, Std);
    }

    /// <summary>Frames as (3, H, W) float planes → patches. Row order: temporal group, 2×2 block row, block column,
    /// row in block, column in block (the merge-block order the tower's mergers rely on); within a row: channel,
    /// frame in group, pixel row, pixel column (the Conv3d kernel layout [C, T, p, p]).</summary>
    public VisionPatches Patchify(IReadOnlyList<float[]> frames, int height, int width)
    {
        int p = PatchSize, m = MergeSize, tp = TemporalPatchSize;
        if (height % (p * m) != 0 || width % (p * m) != 0)
            throw new ArgumentException($"frame {width}×{height}: both sides must be multiples of patch·merge = {p * m}");
        foreach (var f in frames)
            if (f.Length != 3 * height * width) throw new ArgumentException($"a frame plane holds {f.Length} floats, expected 3·{height}·{width}");
        var padded = frames.ToList();
        while (padded.Count % tp != 0) padded.Add(padded[^1]); // a still becomes T identical frames
        var grid = new VisionGrid(padded.Count / tp, height / p, width / p);
        int patchWidth = 3 * tp * p * p;
        var values = new float[(long)grid.Patches * patchWidth];
        long o = 0;
        for (int gt = 0; gt < grid.T; gt++)
        for (int bh = 0; bh < grid.H / m; bh++)
        for (int bw = 0; bw < grid.W / m; bw++)
        for (int mh = 0; mh < m; mh++)
        for (int mw = 0; mw < m; mw++)
        {
            int top = (bh * m + mh) * p, left = (bw * m + mw) * p;
            for (int c = 0; c < 3; c++)
            for (int t = 0; t < tp; t++)
            {
                var plane = padded[gt * tp + t];
                for (int y = 0; y < p; y++)
                {
                    int rowStart = c * height * width + (top + y) * width + left;
                    Array.Copy(plane, rowStart, values, o, p);
                    o += p;
                }
            }
        }
        return new VisionPatches(values, grid, patchWidth);
    }
}
