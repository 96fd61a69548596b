namespace Avocado.Common.Imaging;

/// <summary>A decoded image: <see cref="Height"/> rows of <see cref="Width"/> RGB24 pixels (row-major, 3 bytes each).
/// What decoders (Avocado.Media) produce and the vision preprocessors (Avocado.Models) read.</summary>
public sealed record RgbImage(int Width, int Height, byte[] Rgb)
{
    public (byte R, byte G, byte B) Pixel(int x, int y)
    {
        int i = (y * Width + x) * 3;
        return (Rgb[i], Rgb[i + 1], Rgb[i + 2]);
    }

    /// <summary>The rectangle at (<paramref name="x"/>, <paramref name="y"/>), copied.</summary>
    public RgbImage Crop(int x, int y, int width, int height)
    {
        if (x < 0 || y < 0 || width <= 0 || height <= 0 || x + width > Width || y + height > Height)
            throw new ArgumentOutOfRangeException(nameof(width), $"crop {width}×{height} at ({x}, {y}) is outside the {Width}×{Height} image");
        var crop = new byte[width * height * 3];
        for (int row = 0; row < height; row++)
            Array.Copy(Rgb, ((y + row) * Width + x) * 3, crop, row * width * 3, width * 3);
        return new RgbImage(width, height, crop);
    }
}
