// Gemma 3's image preprocessing. Reference: transformers models/gemma3/image_processing_gemma3.py (resize to a fixed
// square with Pillow's bilinear filter, aspect ratio ignored; rescale 1/255; mean = std = 0.5; optional pan-and-scan).
using Avocado.Common.Imaging;
using Avocado.Models.Config;
using TorchSharp;
using static TorchSharp.torch;

namespace Avocado.Models.Vision;

public sealed record Gemma3ImageProcessor
{
    public int ImageSize { get; init; } = 896;
    /// <summary>Pan-and-scan (off by default, as published): a wide or tall image also gets 2–4 crops along its long side.</summary>
    public bool PanAndScan { get; init; }
    public int PanAndScanMinCropSize { get; init; } = 256;
    public int PanAndScanMaxCrops { get; init; } = 4;
    public double PanAndScanMinRatio { get; init; } = 1.2;

    public static Gemma3ImageProcessor For(SiglipVisionConfig c, bool panAndScan = false) => new() { ImageSize = c.ImageSize, PanAndScan = panAndScan };

    /// <summary>The crops pan-and-scan takes of an image, in row-major order (none when it is not wide or tall enough).</summary>
    public IReadOnlyList<RgbImage> Crops(RgbImage image)
    {
        if (!PanAndScan) return [];
        int w = image.Width, h = image.Height;
        bool wide = w >= h;
        double ratio = wide ? (double)w / h : (double)h / w;
        if (ratio < PanAndScanMinRatio) return [];
        int longSide = wide ? w : h;
        int crops = (int)Math.Floor(ratio + 0.5);
        crops = Math.Min((int)Math.Floor((double)longSide / PanAndScanMinCropSize), crops);
        crops = Math.Min(PanAndScanMaxCrops, Math.Max(2, crops));
        int cropW = wide ? (int)Math.Ceiling((double)w / crops) : w;
        int cropH = wide ? h : (int)Math.Ceiling((double)h / crops);
        if (Math.Min(cropW, cropH) < PanAndScanMinCropSize) return [];
        // Python slicing clips the last crop at the image edge.
        return [.. Enumerable.Range(0, crops).Select(i => wide
            ? image.Crop(i * cropW, 0, Math.Min(cropW, w - i * cropW), h)
            : image.Crop(0, i * cropH, w, Math.Min(cropH, h - i * cropH)))];
    }

    /// <summary>One image → (3, S, S) float32 pixel values for the tower.</summary>
    public float[] Pixels(RgbImage image)
    {
        var resized = ImagePreprocessing.Resize(image.Rgb, image.Width, image.Height, ImageSize, ImageSize, ResizeFilter.Bilinear);
        return ImagePreprocessing.RescaleAndNormalize(resized, ImageSize, ImageSize, 1 / 255.0, [0.5f, 0.5f, 0.5f], [0.5f, 0.5f, 0.5f]);
    }

    /// <summary>Every image, each followed by its pan-and-scan crops, as (N, 3, S, S); and per image how many crops it got
    /// (the prompt names them, see <c>VisualPrompts.ExpandGemma3</c>).</summary>
    public (Tensor PixelValues, int[] CropsPerImage) Preprocess(IReadOnlyList<RgbImage> images)
    {
        var all = new List<float[]>();
        var crops = new int[images.Count];
        for (int i = 0; i < images.Count; i++)
        {
            all.Add(Pixels(images[i]));
            var extra = Crops(images[i]);
            crops[i] = extra.Count;
            all.AddRange(extra.Select(Pixels));
        }
        long plane = 3L * ImageSize * ImageSize;
        var flat = new float[all.Count * plane];
        for (int i = 0; i < all.Count; i++) all[i].CopyTo(flat, i * plane);
        return (tensor(flat, [all.Count, 3, ImageSize, ImageSize]), crops);
    }
}
