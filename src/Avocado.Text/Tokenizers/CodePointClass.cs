using System.Globalization;
using System.Runtime.CompilerServices;

namespace Avocado.Text.Tokenizers;

/// <summary>Character classes of the pre-tokenizer patterns, with the semantics of the Rust regex engines.</summary>
internal static class CodePointClass
{
    public const int Letter = 1, Number = 2, Space = 4, Upper = 8, Lower = 16, Mark = 32, CrLf = 64;
    // Upper: [\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}] and Lower: [\p{Ll}\p{Lm}\p{Lo}\p{M}] (o200k's letter classes).

    private static readonly byte[] Ascii = BuildAscii();

    private static byte[] BuildAscii()
    {
        var t = new byte[128];
        for (int c = 0; c < 128; c++) t[c] = (byte)Compute(c);
        return t;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Of(int cp) => cp < 128 ? Ascii[cp] : Compute(cp);

    /// <summary>
    /// \s as in Rust's regex, fancy-regex and Oniguruma: the Unicode White_Space property. (JavaScript's \s differs:
    /// it adds U+FEFF and lacks U+0085.)
    /// </summary>
    public static bool IsWhiteSpace(int cp) => cp switch
    {
        >= 0x09 and <= 0x0D or 0x20 or 0x85 or 0xA0 or 0x1680 or >= 0x2000 and <= 0x200A
            or 0x2028 or 0x2029 or 0x202F or 0x205F or 0x3000 => true,
        _ => false,
    };

    private static int Compute(int cp)
    {
        int flags = IsWhiteSpace(cp) ? Space : 0;
        if (cp is '\r' or '\n') flags |= CrLf;
        if (cp is >= 0xD800 and <= 0xDFFF) return flags; // lone surrogate: no category of interest
        switch (CharUnicodeInfo.GetUnicodeCategory(cp))
        {
            case UnicodeCategory.UppercaseLetter:
            case UnicodeCategory.TitlecaseLetter:
                flags |= Letter | Upper; break;
            case UnicodeCategory.LowercaseLetter:
                flags |= Letter | Lower; break;
            case UnicodeCategory.ModifierLetter:
            case UnicodeCategory.OtherLetter:
                flags |= Letter | Upper | Lower; break;
            case UnicodeCategory.NonSpacingMark:
            case UnicodeCategory.SpacingCombiningMark:
            case UnicodeCategory.EnclosingMark:
                flags |= Mark | Upper | Lower; break;
            case UnicodeCategory.DecimalDigitNumber:
            case UnicodeCategory.LetterNumber:
            case UnicodeCategory.OtherNumber:
                flags |= Number; break;
        }
        return flags;
    }
}
