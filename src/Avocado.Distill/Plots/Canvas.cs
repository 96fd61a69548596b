namespace Avocado.Distill.Plots;

/// <summary>
/// An RGB image in memory with the few drawing operations charts need. Drawing outside the canvas, or outside
/// <see cref="Clip"/> when one is set, is silently cut off, so chart code can draw near edges without checks.
/// No anti-aliasing: every pixel carries exactly the colour it was drawn with, which is what lets tests find a
/// series by its colour.
/// </summary>
public sealed class Canvas
{
    /// <summary>The largest side accepted; guards against a mistyped size allocating gigabytes.</summary>
    public const int MaxSide = 16384;

    public Canvas(int width, int height, Rgb? background = null)
    {
        if (width < 1 || height < 1 || width > MaxSide || height > MaxSide)
            throw new ArgumentOutOfRangeException(nameof(width), $"canvas size {width}×{height} is out of range: each side must be 1..{MaxSide}");
        Width = width;
        Height = height;
        Pixels = new byte[width * height * 3];
        Rgb bg = background ?? Rgb.White;
        if (bg != Rgb.Black) FillRect(0, 0, width, height, bg);
    }

    public int Width { get; }
    public int Height { get; }

    /// <summary>Row-major RGB, 3 bytes a pixel: (x, y) is at (y * Width + x) * 3. This is exactly what the PNG holds.</summary>
    public byte[] Pixels { get; }

    /// <summary>When set, drawing only touches pixels inside this rectangle (used to keep series inside the plot).</summary>
    public PixelRect? Clip { get; set; }

    public PixelRect Bounds => new(0, 0, Width, Height);

    private PixelRect Drawable => Clip is { } c ? c.Intersect(Bounds) : Bounds;

    public Rgb GetPixel(int x, int y)
    {
        if (!Bounds.Contains(x, y)) throw new ArgumentOutOfRangeException(nameof(x), $"({x}, {y}) is outside the {Width}×{Height} canvas");
        int i = (y * Width + x) * 3;
        return new Rgb(Pixels[i], Pixels[i + 1], Pixels[i + 2]);
    }

    public void SetPixel(int x, int y, Rgb color)
    {
        if (!Drawable.Contains(x, y)) return;
        int i = (y * Width + x) * 3;
        Pixels[i] = color.R;
        Pixels[i + 1] = color.G;
        Pixels[i + 2] = color.B;
    }

    public void FillRect(int x, int y, int width, int height, Rgb color)
    {
        var r = new PixelRect(x, y, width, height).Intersect(Drawable);
        if (r.IsEmpty) return;
        var row = Pixels.AsSpan((r.Y * Width + r.X) * 3, r.Width * 3);
        for (int i = 0; i < row.Length; i += 3)
        {
            row[i] = color.R;
            row[i + 1] = color.G;
            row[i + 2] = color.B;
        }
        // Copy the first row down: faster than setting pixels one by one for the big background fills.
        for (int yy = r.Y + 1; yy < r.Bottom; yy++) row.CopyTo(Pixels.AsSpan((yy * Width + r.X) * 3));
    }

    /// <summary>
    /// A straight line from (x0, y0) to (x1, y1), both ends included (Bresenham). Thickness 2 widens it by one
    /// pixel to the right and below, which keeps every drawn pixel the line's exact colour.
    /// </summary>
    public void DrawLine(int x0, int y0, int x1, int y1, Rgb color, int thickness = 1)
    {
        if (thickness is < 1 or > 2) throw new ArgumentOutOfRangeException(nameof(thickness), $"line thickness {thickness}: use 1 or 2");
        int dx = Math.Abs(x1 - x0), sx = x0 < x1 ? 1 : -1;
        int dy = -Math.Abs(y1 - y0), sy = y0 < y1 ? 1 : -1;
        int err = dx + dy;
        while (true)
        {
            if (thickness == 1) SetPixel(x0, y0, color);
            else FillRect(x0, y0, 2, 2, color);
            if (x0 == x1 && y0 == y1) break;
            int e2 = 2 * err;
            if (e2 >= dy) { err += dy; x0 += sx; }
            if (e2 <= dx) { err += dx; y0 += sy; }
        }
    }

    /// <summary>Draws one line of text with its top-left corner at (x, y); returns its width in pixels.</summary>
    public int DrawText(int x, int y, string text, Rgb color, int scale = 1)
    {
        CheckScale(scale);
        for (int i = 0; i < text.Length; i++)
            DrawGlyph(text[i], scale, (col, row) => FillRect(x + (i * BitmapFont.Advance + col) * scale, y + row * scale, scale, scale, color));
        return BitmapFont.MeasureText(text, scale);
    }

    /// <summary>
    /// Draws text turned a quarter counter-clockwise (read bottom to top, as on a y axis). The text occupies
    /// a box of <see cref="BitmapFont.TextHeight"/> columns by <see cref="BitmapFont.MeasureText"/> rows whose
    /// top-left corner is (x, y).
    /// </summary>
    public void DrawTextVertical(int x, int y, string text, Rgb color, int scale = 1)
    {
        CheckScale(scale);
        int length = BitmapFont.MeasureText(text, scale);
        for (int i = 0; i < text.Length; i++)
            DrawGlyph(text[i], scale, (col, row) =>
            {
                // Horizontal pixel (hx, row) goes to column x + row, row y + length - 1 - hx.
                int hx = (i * BitmapFont.Advance + col) * scale;
                FillRect(x + row * scale, y + length - hx - scale, scale, scale, color);
            });
    }

    /// <summary>Shortens text with a trailing ".." until it fits in maxWidth pixels (empty when even that does not fit).</summary>
    public static string FitText(string text, int maxWidth, int scale = 1)
    {
        if (BitmapFont.MeasureText(text, scale) <= maxWidth) return text;
        for (int keep = text.Length - 1; keep > 0; keep--)
        {
            string shortened = text[..keep] + "..";
            if (BitmapFont.MeasureText(shortened, scale) <= maxWidth) return shortened;
        }
        return "";
    }

    private static void DrawGlyph(char c, int scale, Action<int, int> ink)
    {
        var rows = BitmapFont.Glyph(c);
        for (int row = 0; row < BitmapFont.GlyphHeight; row++)
            for (int col = 0; col < BitmapFont.GlyphWidth; col++)
                if ((rows[row] & (1 << (BitmapFont.GlyphWidth - 1 - col))) != 0) ink(col, row);
    }

    private static void CheckScale(int scale)
    {
        if (scale is < 1 or > 4) throw new ArgumentOutOfRangeException(nameof(scale), $"text scale {scale}: use 1 to 4");
    }
}
