using Avocado.Distill.Plots;

namespace Avocado.Distill.Tests.Plots;

public class BitmapFontTests
{
    private static readonly char[] Printable = Enumerable.Range(32, 95).Select(i => (char)i).ToArray();

    [Fact]
    public void EveryPrintableGlyphDiffersFromEveryOther()
    {
        var seen = new Dictionary<string, char>();
        foreach (char c in Printable)
        {
            string bits = Convert.ToHexString(BitmapFont.Glyph(c));
            Assert.False(seen.TryGetValue(bits, out char other), $"'{c}' and '{other}' have the same glyph");
            seen[bits] = c;
        }
        Assert.Equal(95, seen.Count);
    }

    [Fact]
    public void SpaceIsBlankAndEveryOtherGlyphHasInk()
    {
        Assert.All(BitmapFont.Glyph(' ').ToArray(), row => Assert.Equal(0, row));
        foreach (char c in Printable.Skip(1))
            Assert.True(BitmapFont.Glyph(c).ToArray().Any(row => row != 0), $"'{c}' is blank");
    }

    [Fact]
    public void GlyphsStayInsideTheirFiveColumns()
    {
        foreach (char c in Printable)
            Assert.All(BitmapFont.Glyph(c).ToArray(), row => Assert.True(row < 1 << BitmapFont.GlyphWidth, $"'{c}' is wider than 5"));
    }

    [Fact]
    public void OnlyDescendersAndTheUnderscoreUseTheBottomRow()
    {
        // Row 7 is for descenders: capitals and digits sitting on it would look misaligned on a tick label.
        var below = Printable.Where(c => BitmapFont.Glyph(c)[7] != 0).ToArray();
        Assert.Equal("_,gjpqy".Order(), below.Order());
    }

    [Fact]
    public void CharactersOutsidePrintableAsciiDrawAsQuestionMarks()
    {
        Assert.Equal(BitmapFont.Glyph('?').ToArray(), BitmapFont.Glyph('é').ToArray());
        Assert.Equal(BitmapFont.Glyph('?').ToArray(), BitmapFont.Glyph('\n').ToArray());
    }

    [Fact]
    public void TextIsMeasuredByAdvanceWithoutTrailingSpace()
    {
        Assert.Equal(0, BitmapFont.MeasureText(""));
        Assert.Equal(5, BitmapFont.MeasureText("x"));
        Assert.Equal(17, BitmapFont.MeasureText("abc"));
        Assert.Equal(34, BitmapFont.MeasureText("abc", 2));
    }
}
