using System.Text;

namespace Avocado.Teachers;

/// <summary>
/// Builds a reply's text token by token and records each token's UTF-8 byte span in it: a token's span is the text
/// its decoding completed (so a token ending inside a character gets an empty span and the next one covers the whole
/// character). Spans are contiguous and cover the text.
/// </summary>
public sealed class TokenSpans
{
    readonly StringBuilder text = new();
    readonly List<(int Offset, int Length)> spans = [];
    int bytes;

    public IReadOnlyList<(int Offset, int Length)> Spans => spans;
    public string Text => text.ToString();

    /// <summary>Appends what token <c>Spans.Count</c> decoded to.</summary>
    public void Add(string piece)
    {
        int length = Encoding.UTF8.GetByteCount(piece);
        spans.Add((bytes, length));
        bytes += length;
        text.Append(piece);
    }

    /// <summary>Appends the decoder's final flush (an unfinished character's replacement) to the last token's span.</summary>
    public void AddTail(string tail)
    {
        if (tail.Length == 0) return;
        int length = Encoding.UTF8.GetByteCount(tail);
        if (spans.Count > 0) spans[^1] = (spans[^1].Offset, spans[^1].Length + length);
        bytes += length;
        text.Append(tail);
    }

    /// <summary>Spans of raw token bytes (an endpoint's <c>bytes</c> fields), decoded as one UTF-8 stream.</summary>
    public static TokenSpans FromBytes(IEnumerable<byte[]> tokens)
    {
        var spans = new TokenSpans();
        var decoder = new UTF8Encoding(false, false).GetDecoder();
        foreach (var b in tokens) spans.Add(Decode(decoder, b, flush: false));
        spans.AddTail(Decode(decoder, [], flush: true));
        return spans;
    }

    static string Decode(Decoder decoder, byte[] bytes, bool flush)
    {
        var chars = new char[bytes.Length + 4]; // at most one char per byte, plus what the decoder held back
        int n = decoder.GetChars(bytes, 0, bytes.Length, chars, 0, flush);
        return new string(chars, 0, n);
    }
}
