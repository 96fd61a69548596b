namespace Avocado.Distill.Plots;

/// <summary>
/// A built-in 5×8 bitmap font for printable ASCII (32–126), drawn for this project so charts need no font files.
/// Capitals and digits use rows 0–6; row 7 holds the descenders of g, j, p, q, y and the comma. Each glyph sits in
/// a 6-pixel advance (one blank column between letters). Glyphs are data: one line per character, the character,
/// a space, then up to eight rows of five pixels ('#' ink, '.' blank) separated by '|'; missing rows are blank.
/// </summary>
public static class BitmapFont
{
    public const int GlyphWidth = 5;
    public const int GlyphHeight = 8;
    /// <summary>Horizontal distance from one character to the next, at scale 1.</summary>
    public const int Advance = 6;
    public const char First = ' ';
    public const char Last = '~';

    private static readonly string[] Table =
    [
        "  ",
        "! ..#..|..#..|..#..|..#..|..#..|.....|..#..",
        "\" .#.#.|.#.#.|.#.#.",
        "# .#.#.|.#.#.|#####|.#.#.|#####|.#.#.|.#.#.",
        "$ ..#..|.####|#.#..|.###.|..#.#|####.|..#..",
        "% ##...|##..#|...#.|..#..|.#...|#..##|...##",
        "& .##..|#..#.|#.#..|.#...|#.#.#|#..#.|.##.#",
        "' ..#..|..#..|.#...",
        "( ...#.|..#..|.#...|.#...|.#...|..#..|...#.",
        ") .#...|..#..|...#.|...#.|...#.|..#..|.#...",
        "* .....|..#..|#.#.#|.###.|#.#.#|..#..",
        "+ .....|..#..|..#..|#####|..#..|..#..",
        ", .....|.....|.....|.....|.....|.##..|..#..|.#...",
        "- .....|.....|.....|#####",
        ". .....|.....|.....|.....|.....|.##..|.##..",
        "/ .....|....#|...#.|..#..|.#...|#....",
        "0 .###.|#...#|#..##|#.#.#|##..#|#...#|.###.",
        "1 ..#..|.##..|..#..|..#..|..#..|..#..|.###.",
        "2 .###.|#...#|....#|...#.|..#..|.#...|#####",
        "3 #####|...#.|..#..|...#.|....#|#...#|.###.",
        "4 ...#.|..##.|.#.#.|#..#.|#####|...#.|...#.",
        "5 #####|#....|####.|....#|....#|#...#|.###.",
        "6 ..##.|.#...|#....|####.|#...#|#...#|.###.",
        "7 #####|....#|...#.|..#..|.#...|.#...|.#...",
        "8 .###.|#...#|#...#|.###.|#...#|#...#|.###.",
        "9 .###.|#...#|#...#|.####|....#|...#.|.##..",
        ": .....|.##..|.##..|.....|.##..|.##..",
        "; .....|.##..|.##..|.....|.##..|..#..|.#...",
        "< ...#.|..#..|.#...|#....|.#...|..#..|...#.",
        "= .....|.....|#####|.....|#####",
        "> .#...|..#..|...#.|....#|...#.|..#..|.#...",
        "? .###.|#...#|....#|...#.|..#..|.....|..#..",
        "@ .###.|#...#|....#|.##.#|#.#.#|#.#.#|.###.",
        "A .###.|#...#|#...#|#####|#...#|#...#|#...#",
        "B ####.|#...#|#...#|####.|#...#|#...#|####.",
        "C .###.|#...#|#....|#....|#....|#...#|.###.",
        "D ###..|#..#.|#...#|#...#|#...#|#..#.|###..",
        "E #####|#....|#....|####.|#....|#....|#####",
        "F #####|#....|#....|####.|#....|#....|#....",
        "G .###.|#...#|#....|#.###|#...#|#...#|.####",
        "H #...#|#...#|#...#|#####|#...#|#...#|#...#",
        "I .###.|..#..|..#..|..#..|..#..|..#..|.###.",
        "J ..###|...#.|...#.|...#.|...#.|#..#.|.##..",
        "K #...#|#..#.|#.#..|##...|#.#..|#..#.|#...#",
        "L #....|#....|#....|#....|#....|#....|#####",
        "M #...#|##.##|#.#.#|#.#.#|#...#|#...#|#...#",
        "N #...#|#...#|##..#|#.#.#|#..##|#...#|#...#",
        "O .###.|#...#|#...#|#...#|#...#|#...#|.###.",
        "P ####.|#...#|#...#|####.|#....|#....|#....",
        "Q .###.|#...#|#...#|#...#|#.#.#|#..#.|.##.#",
        "R ####.|#...#|#...#|####.|#.#..|#..#.|#...#",
        "S .####|#....|#....|.###.|....#|....#|####.",
        "T #####|..#..|..#..|..#..|..#..|..#..|..#..",
        "U #...#|#...#|#...#|#...#|#...#|#...#|.###.",
        "V #...#|#...#|#...#|#...#|#...#|.#.#.|..#..",
        "W #...#|#...#|#...#|#.#.#|#.#.#|#.#.#|.#.#.",
        "X #...#|#...#|.#.#.|..#..|.#.#.|#...#|#...#",
        "Y #...#|#...#|.#.#.|..#..|..#..|..#..|..#..",
        "Z #####|....#|...#.|..#..|.#...|#....|#####",
        "[ .###.|.#...|.#...|.#...|.#...|.#...|.###.",
        "\\ .....|#....|.#...|..#..|...#.|....#",
        "] .###.|...#.|...#.|...#.|...#.|...#.|.###.",
        "^ ..#..|.#.#.|#...#",
        "_ .....|.....|.....|.....|.....|.....|.....|#####",
        "` .#...|..#..|...#.",
        "a .....|.....|.###.|....#|.####|#...#|.####",
        "b #....|#....|#.##.|##..#|#...#|#...#|####.",
        "c .....|.....|.###.|#....|#....|#...#|.###.",
        "d ....#|....#|.##.#|#..##|#...#|#...#|.####",
        "e .....|.....|.###.|#...#|#####|#....|.###.",
        "f ..##.|.#..#|.#...|###..|.#...|.#...|.#...",
        "g .....|.....|.####|#...#|#...#|.####|....#|.###.",
        "h #....|#....|#.##.|##..#|#...#|#...#|#...#",
        "i ..#..|.....|.##..|..#..|..#..|..#..|.###.",
        "j ...#.|.....|..##.|...#.|...#.|...#.|#..#.|.##..",
        "k #....|#....|#..#.|#.#..|##...|#.#..|#..#.",
        "l .##..|..#..|..#..|..#..|..#..|..#..|.###.",
        "m .....|.....|##.#.|#.#.#|#.#.#|#.#.#|#.#.#",
        "n .....|.....|#.##.|##..#|#...#|#...#|#...#",
        "o .....|.....|.###.|#...#|#...#|#...#|.###.",
        "p .....|.....|####.|#...#|#...#|####.|#....|#....",
        "q .....|.....|.####|#...#|#...#|.####|....#|....#",
        "r .....|.....|#.##.|##..#|#....|#....|#....",
        "s .....|.....|.####|#....|.###.|....#|####.",
        "t .#...|.#...|###..|.#...|.#...|.#..#|..##.",
        "u .....|.....|#...#|#...#|#...#|#..##|.##.#",
        "v .....|.....|#...#|#...#|#...#|.#.#.|..#..",
        "w .....|.....|#...#|#...#|#.#.#|#.#.#|.#.#.",
        "x .....|.....|#...#|.#.#.|..#..|.#.#.|#...#",
        "y .....|.....|#...#|#...#|#...#|.####|....#|.###.",
        "z .....|.....|#####|...#.|..#..|.#...|#####",
        "{ ...#.|..#..|..#..|.#...|..#..|..#..|...#.",
        "| ..#..|..#..|..#..|..#..|..#..|..#..|..#..",
        "} .#...|..#..|..#..|...#.|..#..|..#..|.#...",
        "~ .....|.....|.#...|#.#.#|...#.",
    ];

    // Row bitmaps, GlyphHeight bytes per character; bit 4 is the leftmost column.
    private static readonly byte[] Rows = Parse();

    /// <summary>The eight row bitmaps of a character (bit 4 = leftmost column); characters outside 32–126 show as '?'.</summary>
    public static ReadOnlySpan<byte> Glyph(char c)
    {
        if (c < First || c > Last) c = '?';
        return Rows.AsSpan((c - First) * GlyphHeight, GlyphHeight);
    }

    /// <summary>Whether the pixel at (column, row) of the character's glyph is ink.</summary>
    public static bool IsInk(char c, int column, int row) =>
        (uint)column < GlyphWidth && (uint)row < GlyphHeight && (Glyph(c)[row] & (1 << (GlyphWidth - 1 - column))) != 0;

    /// <summary>Width in pixels of a line of text: the advance of every character but the last, which takes only its glyph.</summary>
    public static int MeasureText(string text, int scale = 1) =>
        text.Length == 0 ? 0 : ((text.Length - 1) * Advance + GlyphWidth) * scale;

    /// <summary>Height in pixels of a line of text, descenders included.</summary>
    public static int TextHeight(int scale = 1) => GlyphHeight * scale;

    private static byte[] Parse()
    {
        // The table is checked here, once, so a typo in a glyph fails every chart test with the character named.
        int count = Last - First + 1;
        if (Table.Length != count) throw new InvalidOperationException($"BitmapFont: {Table.Length} glyphs, expected {count} (ASCII 32–126)");
        var rows = new byte[count * GlyphHeight];
        for (int i = 0; i < count; i++)
        {
            string entry = Table[i];
            char c = (char)(First + i);
            if (entry.Length < 2 || entry[0] != c || entry[1] != ' ')
                throw new InvalidOperationException($"BitmapFont: entry {i} should start with '{c}' and a space, found \"{entry}\"");
            string body = entry[2..];
            string[] lines = body.Length == 0 ? [] : body.Split('|');
            if (lines.Length > GlyphHeight) throw new InvalidOperationException($"BitmapFont: '{c}' has {lines.Length} rows, at most {GlyphHeight}");
            for (int r = 0; r < lines.Length; r++)
            {
                if (lines[r].Length != GlyphWidth || lines[r].Any(p => p is not ('#' or '.')))
                    throw new InvalidOperationException($"BitmapFont: '{c}' row {r} is \"{lines[r]}\", expected {GlyphWidth} of '#' or '.'");
                byte bits = 0;
                for (int col = 0; col < GlyphWidth; col++)
                    if (lines[r][col] == '#') bits |= (byte)(1 << (GlyphWidth - 1 - col));
                rows[i * GlyphHeight + r] = bits;
            }
        }
        return rows;
    }
}
