namespace Avocado.Traces.Decontamination;

/// <summary>
/// A text as the words n-gram matching sees: lower case, punctuation and symbols as separators, every Han or kana
/// character a word of its own (those scripts put no spaces between words). Each word is kept as a 64-bit hash and
/// its place in the text (to quote an overlapping n-gram back).
/// </summary>
internal sealed class NGramText
{
    private NGramText(string text, List<ulong> hashes, List<(int Start, int Length)> spans)
    {
        Text = text;
        WordHashes = hashes;
        Spans = spans;
    }

    public string Text { get; }

    public IReadOnlyList<ulong> WordHashes { get; }

    private IReadOnlyList<(int Start, int Length)> Spans { get; }

    public int WordCount => WordHashes.Count;

    public static NGramText Split(string text)
    {
        var hashes = new List<ulong>();
        var spans = new List<(int, int)>();
        int i = 0;
        while (i < text.Length)
        {
            char c = text[i];
            if (IsSingleCharacterWord(c))
            {
                hashes.Add(Mix(Fnv(FnvOffset, c)));
                spans.Add((i, 1));
                i++;
                continue;
            }
            if (!char.IsLetterOrDigit(c))
            {
                i++;
                continue;
            }
            int start = i;
            ulong h = FnvOffset;
            while (i < text.Length && char.IsLetterOrDigit(text[i]) && !IsSingleCharacterWord(text[i]))
            {
                h = Fnv(h, char.ToLowerInvariant(text[i]));
                i++;
            }
            hashes.Add(Mix(h));
            spans.Add((start, i - start));
        }
        return new NGramText(text, hashes, spans);
    }

    /// <summary>The hash of the <paramref name="length"/> words from <paramref name="start"/>; the length is mixed in, so a 5-word item never equals a 13-gram.</summary>
    public ulong NGramHash(int start, int length)
    {
        ulong h = 0x9E3779B97F4A7C15UL * (ulong)length;
        for (int k = start; k < start + length; k++) h = Mix(h + WordHashes[k]);
        return h;
    }

    /// <summary>The n-gram's words as they stand in the text (normalised: lower case, single spaces).</summary>
    public string Quote(int start, int length) =>
        string.Join(' ', Enumerable.Range(start, length).Select(k => Text.Substring(Spans[k].Start, Spans[k].Length).ToLowerInvariant()));

    private const ulong FnvOffset = 14695981039346656037UL;

    private static ulong Fnv(ulong h, char c) => (h ^ c) * 1099511628211UL;

    // splitmix64's finaliser: spreads FNV's weak low bits over the whole word.
    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    // CJK ideographs (with extension A and compatibility ideographs), hiragana and katakana.
    private static bool IsSingleCharacterWord(char c) =>
        c is >= '\u3040' and <= '\u30FF' or >= '\u3400' and <= '\u4DBF' or >= '\u4E00' and <= '\u9FFF' or >= '\uF900' and <= '\uFAFF';
}
