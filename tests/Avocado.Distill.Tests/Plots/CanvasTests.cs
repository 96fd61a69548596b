using Avocado.Distill.Plots;

namespace Avocado.Distill.Tests.Plots;

public class CanvasTests
{
    private static readonly Rgb Ink = Rgb.FromHex(0x0072B2);

    private static int Count(Canvas c, Rgb color)
    {
        int n = 0;
        for (int y = 0; y < c.Height; y++)
            for (int x = 0; x < c.Width; x++)
                if (c.GetPixel(x, y) == color) n++;
        return n;
    }

    [Fact]
    public void LinesIncludeBothEndsAndTouchOnePixelPerStep()
    {
        var c = new Canvas(50, 50);
        c.DrawLine(3, 4, 40, 4, Ink);
        Assert.Equal(38, Count(c, Ink));
        c = new Canvas(50, 50);
        c.DrawLine(40, 45, 5, 10, Ink); // a diagonal, drawn backwards
        Assert.Equal(36, Count(c, Ink));
        Assert.Equal(Ink, c.GetPixel(5, 10));
        Assert.Equal(Ink, c.GetPixel(40, 45));
        Assert.Equal(Ink, c.GetPixel(22, 27));
        c = new Canvas(50, 50);
        c.DrawLine(0, 0, 30, 10, Ink); // shallow: one pixel per column
        for (int x = 0; x <= 30; x++) Assert.Equal(1, Enumerable.Range(0, 50).Count(y => c.GetPixel(x, y) == Ink));
    }

    [Fact]
    public void ThickLinesAreTwoPixelsWide()
    {
        var c = new Canvas(50, 50);
        c.DrawLine(3, 4, 40, 4, Ink, thickness: 2);
        Assert.Equal(2 * 39, Count(c, Ink));
        Assert.Throws<ArgumentOutOfRangeException>(() => c.DrawLine(0, 0, 1, 1, Ink, thickness: 3));
    }

    [Fact]
    public void DrawingOffTheCanvasOrOutsideTheClipIsCutOff()
    {
        var c = new Canvas(20, 10);
        c.FillRect(-5, -5, 10, 10, Ink);
        Assert.Equal(25, Count(c, Ink));
        c.DrawLine(-100, 8, 100, 8, Ink);
        Assert.Equal(25 + 20, Count(c, Ink));
        c = new Canvas(20, 10) { Clip = new PixelRect(10, 0, 5, 10) };
        c.FillRect(0, 0, 20, 10, Ink);
        Assert.Equal(50, Count(c, Ink));
        Assert.NotEqual(Ink, c.GetPixel(9, 0));
    }

    [Fact]
    public void TextPixelsAreTheGlyphBitmaps()
    {
        var c = new Canvas(40, 20);
        int width = c.DrawText(2, 3, "A1", Ink);
        Assert.Equal(BitmapFont.MeasureText("A1"), width);
        Assert.Equal(11, width);
        for (int row = 0; row < BitmapFont.GlyphHeight; row++)
            for (int col = 0; col < BitmapFont.GlyphWidth; col++)
            {
                Assert.Equal(BitmapFont.IsInk('A', col, row), c.GetPixel(2 + col, 3 + row) == Ink);
                Assert.Equal(BitmapFont.IsInk('1', col, row), c.GetPixel(2 + BitmapFont.Advance + col, 3 + row) == Ink);
            }
    }

    [Fact]
    public void ScaledTextDoublesEveryPixel()
    {
        var one = new Canvas(20, 20);
        var two = new Canvas(40, 40);
        one.DrawText(0, 0, "g", Ink);
        two.DrawText(0, 0, "g", Ink, scale: 2);
        Assert.Equal(4 * Count(one, Ink), Count(two, Ink));
        for (int y = 0; y < 16; y++)
            for (int x = 0; x < 10; x++)
                Assert.Equal(one.GetPixel(x / 2, y / 2), two.GetPixel(x, y));
    }

    [Fact]
    public void VerticalTextIsTheHorizontalTextTurnedCounterClockwise()
    {
        const string text = "Loss/ce";
        int length = BitmapFont.MeasureText(text);
        var h = new Canvas(length, 8);
        var v = new Canvas(8, length);
        h.DrawText(0, 0, text, Ink);
        v.DrawTextVertical(0, 0, text, Ink);
        for (int y = 0; y < 8; y++)
            for (int x = 0; x < length; x++)
                Assert.Equal(h.GetPixel(x, y), v.GetPixel(y, length - 1 - x));
    }

    [Fact]
    public void FitTextShortensWithDots()
    {
        Assert.Equal("accuracy", Canvas.FitText("accuracy", 100));
        string fitted = Canvas.FitText("loss/kd_forward_kl", 60);
        Assert.EndsWith("..", fitted);
        Assert.True(BitmapFont.MeasureText(fitted) <= 60);
        Assert.Equal("", Canvas.FitText("abc", 3));
    }

    [Fact]
    public void SizesAreChecked()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new Canvas(0, 10));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Canvas(10, Canvas.MaxSide + 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Canvas(3, 3).GetPixel(3, 0));
    }
}
