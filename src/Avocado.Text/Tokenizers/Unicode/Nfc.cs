using System.Text;

namespace Avocado.Text.Tokenizers.Unicode;

// Ours, not string.Normalize: that is a no-op under InvariantGlobalization, and tokenizers need offsets back to the input.

/// <summary>
/// Unicode Normalization Form C with an alignment back to the input. .NET's <c>string.Normalize</c> does nothing
/// under InvariantGlobalization, so this carries its own tables (<see cref="NfcData"/>).
/// The text is cut into segments, each starting at a character that can neither change nor combine with what
/// precedes it (a starter with NFC_QC=Yes); segments are normalized independently, which equals normalizing the
/// whole text. Every output character of a changed segment aligns to that whole input segment.
/// </summary>
internal static class Nfc
{
    private const int SBase = 0xAC00, LBase = 0x1100, VBase = 0x1161, TBase = 0x11A7;
    private const int LCount = 19, VCount = 21, TCount = 28, NCount = VCount * TCount, SCount = LCount * NCount;

    private static readonly ulong[] UnsafeBmp = BuildUnsafeBmp();
    private static readonly int[] UnsafeAstral = BuildUnsafeAstral();
    private static readonly Dictionary<long, int> Compositions = BuildCompositions();

    private static bool IsUnsafe(int cp)
    {
        if (cp < 0x10000) return (UnsafeBmp[cp >> 6] & (1UL << (cp & 63))) != 0;
        return Array.BinarySearch(UnsafeAstral, cp) >= 0;
    }

    /// <summary>
    /// Normalizes <paramref name="text"/>. Returns null when the text is already NFC (no copy made). Otherwise
    /// returns the normalized text and, for every normalized UTF-16 index i, <paramref name="sourceStart"/>[i] and
    /// <paramref name="sourceEnd"/>[i]: the input UTF-16 range that character came from (a whole segment when the
    /// segment changed, the character itself otherwise).
    /// </summary>
    public static string? Normalize(string text, out int[]? sourceStart, out int[]? sourceEnd)
    {
        sourceStart = null;
        sourceEnd = null;
        int first = FirstUnsafe(text);
        if (first < 0) return null;

        var sb = new StringBuilder(text.Length + 8);
        var starts = new List<int>(text.Length + 8);
        var ends = new List<int>(text.Length + 8);
        var buffer = new List<int>(16);
        bool changed = false;
        int i = 0;
        while (i < text.Length)
        {
            // A segment: [i, j) where text[i] starts it and j is the next safe starter.
            int j = i + CharCount(text, i);
            while (j < text.Length)
            {
                int cp = char.ConvertToUtf32OrReplacement(text, j, out int len);
                if (!IsUnsafe(cp)) break;
                j += len;
            }
            bool simple = j - i == CharCount(text, i) && !IsUnsafe(char.ConvertToUtf32OrReplacement(text, i, out _));
            if (simple)
            {
                for (int k = i; k < j; k++) { sb.Append(text[k]); starts.Add(k); ends.Add(k + 1); }
            }
            else
            {
                buffer.Clear();
                for (int k = i; k < j;)
                {
                    int cp = char.ConvertToUtf32OrReplacement(text, k, out int len);
                    Decompose(cp, buffer);
                    k += len;
                }
                ReorderAndCompose(buffer);
                int before = sb.Length;
                foreach (int cp in buffer) AppendCodePoint(sb, cp);
                bool same = sb.Length - before == j - i && string.CompareOrdinal(sb.ToString(before, j - i), 0, text, i, j - i) == 0;
                if (same)
                {
                    for (int k = i; k < j; k++) { starts.Add(k); ends.Add(k + 1); }
                }
                else
                {
                    changed = true;
                    for (int k = before; k < sb.Length; k++) { starts.Add(i); ends.Add(j); }
                }
            }
            i = j;
        }
        if (!changed) return null;
        sourceStart = starts.ToArray();
        sourceEnd = ends.ToArray();
        return sb.ToString();
    }

    /// <summary>NFC of <paramref name="text"/> (the text itself when already normalized).</summary>
    public static string Normalize(string text) => Normalize(text, out _, out _) ?? text;

    /// <summary>True when <paramref name="text"/> holds nothing NFC could change (so it is NFC).</summary>
    public static bool IsQuickNormalized(ReadOnlySpan<char> text) => FirstUnsafe(text) < 0;

    private static int FirstUnsafe(ReadOnlySpan<char> text)
    {
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (c < 0x300) continue;
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                if (IsUnsafe(char.ConvertToUtf32(c, text[i + 1]))) return i;
                i++;
                continue;
            }
            if (!char.IsSurrogate(c) && (UnsafeBmp[c >> 6] & (1UL << (c & 63))) != 0) return i;
        }
        return -1;
    }

    private static int CharCount(string text, int i) =>
        char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]) ? 2 : 1;

    private static void AppendCodePoint(StringBuilder sb, int cp)
    {
        if (cp < 0x10000) sb.Append((char)cp);
        else { cp -= 0x10000; sb.Append((char)(0xD800 + (cp >> 10))); sb.Append((char)(0xDC00 + (cp & 0x3FF))); }
    }

    private static void Decompose(int cp, List<int> output)
    {
        if (cp >= SBase && cp < SBase + SCount)
        {
            int s = cp - SBase;
            output.Add(LBase + s / NCount);
            output.Add(VBase + s % NCount / TCount);
            if (s % TCount != 0) output.Add(TBase + s % TCount);
            return;
        }
        int index = NfcData.DecompositionKeys.BinarySearch(cp);
        if (index < 0) { output.Add(cp); return; }
        int start = NfcData.DecompositionStart[index], end = NfcData.DecompositionStart[index + 1];
        for (int k = start; k < end; k++) output.Add(NfcData.DecompositionData[k]);
    }

    internal static int CombiningClass(int cp)
    {
        int index = NfcData.CccKeys.BinarySearch(cp);
        return index < 0 ? 0 : NfcData.CccValues[index];
    }

    private static void ReorderAndCompose(List<int> cps)
    {
        // Canonical ordering: stable sort of each run of non-starters by combining class.
        int n = cps.Count;
        var ccc = new int[n];
        for (int k = 0; k < n; k++) ccc[k] = CombiningClass(cps[k]);
        for (int k = 1; k < n; k++)
        {
            if (ccc[k] == 0) continue;
            int m = k;
            while (m > 0 && ccc[m - 1] > ccc[m])
            {
                (ccc[m - 1], ccc[m]) = (ccc[m], ccc[m - 1]);
                (cps[m - 1], cps[m]) = (cps[m], cps[m - 1]);
                m--;
            }
        }
        // Canonical composition: a character combines with the last starter unless blocked, i.e. unless something
        // between them has combining class 0 or a class not lower than its own.
        int starter = -1;
        int lastClass = -1; // class of the last character kept after the starter; -1: none
        int write = 0;
        for (int k = 0; k < n; k++)
        {
            int cp = cps[k], cc = ccc[k];
            if (starter >= 0 && (lastClass == -1 || (lastClass != 0 && lastClass < cc)))
            {
                int composed = Compose(cps[starter], cp);
                if (composed >= 0)
                {
                    cps[starter] = composed;
                    continue;
                }
            }
            if (cc == 0) { starter = write; lastClass = -1; }
            else lastClass = cc;
            cps[write] = cp;
            ccc[write] = cc;
            write++;
        }
        cps.RemoveRange(write, n - write);
    }

    private static int Compose(int a, int b)
    {
        if (a >= LBase && a < LBase + LCount && b >= VBase && b < VBase + VCount)
            return SBase + ((a - LBase) * VCount + (b - VBase)) * TCount;
        if (a >= SBase && a < SBase + SCount && (a - SBase) % TCount == 0 && b > TBase && b < TBase + TCount)
            return a + (b - TBase);
        return Compositions.TryGetValue(((long)a << 21) | (uint)b, out int c) ? c : -1;
    }

    private static ulong[] BuildUnsafeBmp()
    {
        var bits = new ulong[1024];
        foreach (int cp in NfcData.UnsafeCodePoints)
            if (cp < 0x10000) bits[cp >> 6] |= 1UL << (cp & 63);
        return bits;
    }

    private static int[] BuildUnsafeAstral()
    {
        var list = new List<int>();
        foreach (int cp in NfcData.UnsafeCodePoints)
            if (cp >= 0x10000) list.Add(cp);
        return [.. list];
    }

    private static Dictionary<long, int> BuildCompositions()
    {
        var triples = NfcData.CompositionTriples;
        var map = new Dictionary<long, int>(triples.Length / 3);
        for (int k = 0; k < triples.Length; k += 3)
            map[((long)triples[k] << 21) | (uint)triples[k + 1]] = triples[k + 2];
        return map;
    }
}

internal static class CharExtensions
{
    extension(char)
    {
        /// <summary>The code point at <paramref name="index"/>; a lone surrogate reads as itself (length 1).</summary>
        public static int ConvertToUtf32OrReplacement(string s, int index, out int length)
        {
            char c = s[index];
            if (char.IsHighSurrogate(c) && index + 1 < s.Length && char.IsLowSurrogate(s[index + 1]))
            {
                length = 2;
                return char.ConvertToUtf32(c, s[index + 1]);
            }
            length = 1;
            return c;
        }
    }
}
