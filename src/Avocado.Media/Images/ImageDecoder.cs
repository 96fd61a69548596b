using Avocado.Common.Imaging;
using SkiaSharp;

namespace Avocado.Media;

// Images go through SkiaSharp, not ffmpeg: in-process (a gateway decodes an image per request; an ffmpeg process costs
// ~0.2 s just to start here), it reads the size before decoding (the pixel limit is checked first), and it is already
// in the build through ScottPlot (MIT). ImageSharp 2.x was the alternative: newer versions need a paid licence and the
// package registry warns of crafted-image flaws in 2.x.

/// <summary>Decodes PNG, JPEG and WebP to RGB24, optionally resized. Transparency is dropped, not blended (the colour
/// under a transparent pixel is kept), as Pillow's convert("RGB") does, so pixels match the Python processors of the
/// teacher models; embedded colour profiles and EXIF orientation are not applied, for the same reason.</summary>
public sealed class ImageDecoder
{
    static readonly SKEncodedImageFormat[] Supported = [SKEncodedImageFormat.Png, SKEncodedImageFormat.Jpeg, SKEncodedImageFormat.Webp];

    public ImageDecoder(MediaLimits? limits = null)
    {
        Limits = limits ?? MediaLimits.Default;
        Limits.Validate();
    }

    public MediaLimits Limits { get; }

    /// <param name="size">null or <see cref="FrameSize.Source"/> keeps the image's size.</param>
    public RgbImage Decode(string path, FrameSize? size = null)
    {
        var file = Limits.CheckFile(path);
        byte[] bytes;
        try { bytes = File.ReadAllBytes(file.FullName); }
        catch (IOException e) { throw new MediaException(path, $"could not be read ({e.Message})", e); }
        catch (UnauthorizedAccessException e) { throw new MediaException(path, $"could not be read ({e.Message})", e); }
        return Decode(bytes, path, size);
    }

    /// <summary>Decodes an image held in memory (an upload, a data: URL); <paramref name="name"/> names it in errors.</summary>
    public RgbImage Decode(byte[] encoded, string name, FrameSize? size = null)
    {
        ArgumentNullException.ThrowIfNull(encoded);
        if (encoded.Length == 0) throw new MediaException(name, "the image is empty (0 bytes)");
        if (encoded.Length > Limits.MaxBytes)
            throw new MediaException(name, $"the image is {encoded.Length:N0} bytes, over the limit MaxBytes = {Limits.MaxBytes:N0}");

        using var stream = new MemoryStream(encoded, writable: false);
        using var codec = SKCodec.Create(stream, out var created);
        if (codec is null) throw new MediaException(name, $"not an image, or an image format that cannot be decoded ({created}); supported: PNG, JPEG, WebP");
        if (!Supported.Contains(codec.EncodedFormat))
            throw new MediaException(name, $"unsupported image format {codec.EncodedFormat}; supported: PNG, JPEG, WebP");
        int width = codec.Info.Width, height = codec.Info.Height;
        Limits.CheckPixels(name, width, height, "the image");

        var rgba = new byte[checked(width * height * 4)];
        var result = Decode(codec, rgba, new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Unpremul));
        if (result != SKCodecResult.Success)
            throw new MediaException(name, result == SKCodecResult.IncompleteInput
                ? $"truncated {codec.EncodedFormat} image: the data ends before the last row"
                : $"corrupt {codec.EncodedFormat} image ({result})");
        // Alpha to 255 with the colours kept: what Pillow's RGBA → RGB does.
        for (int i = 3; i < rgba.Length; i += 4) rgba[i] = 255;

        var (outWidth, outHeight) = (size ?? FrameSize.Source).Resolve(width, height);
        Limits.CheckPixels(name, outWidth, outHeight, "the resized image");
        if (outWidth != width || outHeight != height) rgba = Resize(rgba, width, height, outWidth, outHeight);
        return new RgbImage(outWidth, outHeight, ToRgb(rgba));
    }

    static unsafe SKCodecResult Decode(SKCodec codec, byte[] rgba, SKImageInfo info)
    {
        fixed (byte* pixels = rgba) return codec.GetPixels(info, (nint)pixels);
    }

    /// <summary>Shrinking by more than half samples mipmaps (area-like, no aliasing); otherwise Catmull-Rom bicubic,
    /// the filter Pillow calls BICUBIC.</summary>
    static unsafe byte[] Resize(byte[] rgba, int width, int height, int outWidth, int outHeight)
    {
        bool bigShrink = outWidth * 2 < width || outHeight * 2 < height;
        var sampling = bigShrink ? new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.Linear) : new SKSamplingOptions(SKCubicResampler.CatmullRom);
        using var image = SKImage.FromPixelCopy(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Opaque), rgba)
                          ?? throw new InvalidOperationException($"Skia could not hold a {width}×{height} image");
        var target = new byte[checked(outWidth * outHeight * 4)];
        fixed (byte* pixels = target)
        {
            using var pixmap = new SKPixmap(new SKImageInfo(outWidth, outHeight, SKColorType.Rgba8888, SKAlphaType.Opaque), (nint)pixels);
            if (!image.ScalePixels(pixmap, sampling)) throw new InvalidOperationException($"Skia could not scale {width}×{height} to {outWidth}×{outHeight}");
        }
        return target;
    }

    static byte[] ToRgb(byte[] rgba)
    {
        var rgb = new byte[rgba.Length / 4 * 3];
        for (int i = 0, j = 0; j < rgb.Length; i += 4, j += 3)
        {
            rgb[j] = rgba[i];
            rgb[j + 1] = rgba[i + 1];
            rgb[j + 2] = rgba[i + 2];
        }
        return rgb;
    }
}
