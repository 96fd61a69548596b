using System.Text;

namespace Avocado.Training.Alignment;

/// <summary>
/// One token's UTF-8 byte span [<see cref="Start"/>, <see cref="End"/>) in a text, and whether <see cref="Start"/> is a
/// true token boundary: the model's prediction of this token was conditioned on exactly the text bytes before
/// <see cref="Start"/> (not on part of a character, nor on bytes the span does not show).
/// </summary>
public readonly record struct ByteSpan(int Start, int End, bool TrueStart)
{
    public int Length => End - Start;
}

/// <summary>
/// Builds <see cref="ByteSpan"/>s from the two span conventions in the code base. Cross-tokenizer alignment works on
/// UTF-8 byte offsets of one text, never on decoded strings (those break on multi-byte characters and on one model
/// adding BOS while the other does not).
/// </summary>
public static class ByteSpans
{
    /// <summary>
    /// From a tokenizer's exact offsets (<c>ITokenizer.EncodeWithOffsets</c>): a non-empty token is a true start unless it
    /// begins before the previous token ended. Empty tokens (BOS/EOS from the post-processor) are not; nor is the 2nd,
    /// 3rd… token of a span the normalizer changed (NFC composition), since they all report the whole span.
    /// </summary>
    public static ByteSpan[] FromOffsets(IReadOnlyList<(int Start, int End)> offsets)
    {
        ArgumentNullException.ThrowIfNull(offsets);
        var spans = new ByteSpan[offsets.Count];
        int covered = 0; // end of the text the tokens so far have consumed
        for (int k = 0; k < spans.Length; k++)
        {
            var (start, end) = offsets[k];
            if (end < start) throw new ArgumentException($"token {k}: span end {end} is before its start {start}.", nameof(offsets));
            spans[k] = new ByteSpan(start, end, end > start && start >= covered);
            covered = Math.Max(covered, end);
        }
        return spans;
    }

    /// <summary>
    /// Exact spans from each token's raw byte count (an endpoint's <c>bytes</c> field, or <c>ITokenizer.TokenBytes(id)</c>
    /// for a reply with ids), laid end to end from byte 0. Valid when the tokens' bytes joined are the text (valid UTF-8);
    /// prefer this over <see cref="FromCharacterSpans"/> whenever the lengths are known.
    /// </summary>
    public static ByteSpan[] FromByteLengths(IReadOnlyList<int> byteLengths)
    {
        ArgumentNullException.ThrowIfNull(byteLengths);
        var offsets = new (int, int)[byteLengths.Count];
        int at = 0;
        for (int k = 0; k < offsets.Length; k++)
        {
            if (byteLengths[k] < 0) throw new ArgumentException($"token {k}: negative byte length {byteLengths[k]}.", nameof(byteLengths));
            offsets[k] = (at, at += byteLengths[k]);
        }
        return FromOffsets(offsets);
    }

    /// <summary>
    /// From the endpoint convention (<c>TokenLogprob.ByteOffset/ByteLength</c>, built by incremental decoding of
    /// <paramref name="text"/>): each span is the text its token completed. A span start is a true start only when
    /// <list type="bullet">
    /// <item>the span is non-empty and the previous one is too (an empty span means the token ended inside a character,
    /// so the next token began inside it), and</item>
    /// <item>the character at the start is ASCII. A token can complete one character and end inside the next, which the
    /// spans cannot show (the real Qwen3 and o200k vocabularies do this on emoji and Hangul); the decoder only ever holds
    /// back the first bytes of a multi-byte character, so a start on an ASCII byte is certain and any other is not.</item>
    /// </list>
    /// Token 0 is a true start when non-empty (it follows the prompt, which ends at a character boundary).
    /// Nothing after a U+FFFD in the text is a true start either: an invalid byte sequence was replaced there, so text
    /// offsets no longer equal the teacher's bytes. This loses most starts in CJK text: keep the token byte lengths and use
    /// <see cref="FromByteLengths"/> where possible.
    /// </summary>
    public static ByteSpan[] FromCharacterSpans(IReadOnlyList<(int Offset, int Length)> spans, string text)
    {
        ArgumentNullException.ThrowIfNull(spans);
        ArgumentNullException.ThrowIfNull(text);
        byte[] utf8 = Encoding.UTF8.GetBytes(text);
        int replaced = text.IndexOf('\uFFFD');
        int untrustedFrom = replaced < 0 ? int.MaxValue : Encoding.UTF8.GetByteCount(text.AsSpan(0, replaced));
        var result = new ByteSpan[spans.Count];
        for (int k = 0; k < result.Length; k++)
        {
            var (offset, length) = spans[k];
            if (offset < 0 || length < 0 || offset + length > utf8.Length)
                throw new ArgumentException($"token {k}: span ({offset}, {length}) lies outside the text's {utf8.Length} bytes.", nameof(spans));
            // Token 0 follows the prompt, which ends at a character boundary.
            bool trueStart = length > 0 && offset < untrustedFrom && (k == 0 || (spans[k - 1].Length > 0 && utf8[offset] < 0x80));
            result[k] = new ByteSpan(offset, offset + length, trueStart);
        }
        return result;
    }
}
