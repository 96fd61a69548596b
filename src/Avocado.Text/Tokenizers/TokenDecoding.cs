using System.Text;
using System.Text.Json;

namespace Avocado.Text.Tokenizers;

/// <summary>
/// What each id decodes to, from the tokenizer.json decoder: bytes (ByteLevel, and SentencePiece byte fallback
/// <c>&lt;0xNN&gt;</c> tokens) or text (pieces after the Replace steps, e.g. '▁' → ' '). Bytes are decoded as UTF-8
/// with one U+FFFD per maximal invalid subsequence; a run of fallback bytes ends at the next text piece.
/// </summary>
internal sealed class DecodingTable
{
    private readonly byte[]?[] _bytes;
    private readonly string?[] _text;
    public int StripLeading { get; }
    public char StripChar { get; }
    public bool JoinWithSpace { get; }

    private DecodingTable(byte[]?[] bytes, string?[] text, int stripLeading, char stripChar, bool joinWithSpace)
    {
        _bytes = bytes;
        _text = text;
        StripLeading = stripLeading;
        StripChar = stripChar;
        JoinWithSpace = joinWithSpace;
    }

    public byte[]? BytesOf(int id) => (uint)id < (uint)_bytes.Length ? _bytes[id] : null;
    public string? TextOf(int id) => (uint)id < (uint)_text.Length ? _text[id] : null;

    public static DecodingTable Build(JsonElement? decoder, string?[] tokens, string file)
    {
        int n = tokens.Length;
        var bytes = new byte[]?[n];
        var text = new string?[n];
        if (decoder is null || decoder.Value.ValueKind == JsonValueKind.Null)
        {
            for (int id = 0; id < n; id++) text[id] = tokens[id];
            return new DecodingTable(bytes, text, 0, ' ', joinWithSpace: true);
        }
        var steps = new List<JsonElement>();
        Flatten(decoder.Value, steps);
        var types = steps.Select(s => s.GetProperty("type").GetString() ?? "").ToList();
        if (types.Count == 1 && types[0] == "ByteLevel")
        {
            for (int id = 0; id < n; id++)
                if (tokens[id] is string t) bytes[id] = ByteLevelAlphabet.TryDecode(t) ?? Encoding.UTF8.GetBytes(t);
            return new DecodingTable(bytes, text, 0, ' ', false);
        }
        var replaces = new List<(string From, string To)>();
        bool byteFallback = false;
        int strip = 0;
        char stripChar = ' ';
        bool fused = false;
        foreach (var step in steps)
        {
            string type = step.GetProperty("type").GetString() ?? "";
            switch (type)
            {
                case "Replace" when !byteFallback && !fused && step.GetProperty("pattern").TryGetProperty("String", out var from):
                    replaces.Add((from.GetString() ?? "", step.GetProperty("content").GetString() ?? ""));
                    break;
                case "ByteFallback" when !fused:
                    byteFallback = true;
                    break;
                case "Fuse":
                    fused = true;
                    break;
                case "Strip" when fused:
                    {
                        string content = step.GetProperty("content").GetString() ?? " ";
                        int stop = step.TryGetProperty("stop", out var st) ? st.GetInt32() : 0;
                        if (content.Length != 1 || stop != 0) goto default;
                        stripChar = content[0];
                        strip = step.TryGetProperty("start", out var sa) ? sa.GetInt32() : 0;
                        break;
                    }
                default:
                    throw new InvalidDataException($"{file}: decoder step '{type}' in this position is not supported " +
                        "(supported: ByteLevel alone, or Replace* ByteFallback? Fuse Strip(start)).");
            }
        }
        for (int id = 0; id < n; id++)
        {
            string? t = tokens[id];
            if (t is null) continue;
            if (byteFallback && t.Length == 6 && t.StartsWith("<0x", StringComparison.Ordinal) && t[5] == '>' &&
                byte.TryParse(t.AsSpan(3, 2), System.Globalization.NumberStyles.AllowHexSpecifier, null, out byte b))
            {
                bytes[id] = [b];
                continue;
            }
            foreach (var (from, to) in replaces) if (from.Length > 0) t = t.Replace(from, to, StringComparison.Ordinal);
            text[id] = t;
        }
        return new DecodingTable(bytes, text, strip, stripChar, joinWithSpace: false);
    }

    private static void Flatten(JsonElement e, List<JsonElement> output)
    {
        if (e.GetProperty("type").GetString() == "Sequence")
            foreach (var d in e.GetProperty("decoders").EnumerateArray()) Flatten(d, output);
        else output.Add(e);
    }
}

/// <summary>The decoding state machine shared by full and incremental decoding.</summary>
internal sealed class StreamingDecoder(DecodingTable table, Func<int, bool> skip) : IncrementalDecoder
{
    private byte[] _pending = new byte[16];
    private int _pendingCount;
    private int _stripLeft = table.StripLeading;
    private bool _any;

    public override string Push(int id)
    {
        if (skip(id)) return "";
        var sb = new StringBuilder();
        PushInto(id, sb);
        return sb.ToString();
    }

    /// <summary>Appends what <see cref="Push"/> would return to <paramref name="sb"/>.</summary>
    internal void PushInto(int id, StringBuilder sb)
    {
        if (skip(id)) return;
        if (table.BytesOf(id) is byte[] bytes)
        {
            if (table.JoinWithSpace && _any) Append(sb, " ");
            _any = true;
            AddPending(bytes);
            int complete = CompletePrefixLength(_pending.AsSpan(0, _pendingCount));
            if (complete > 0) EmitPending(sb, complete);
        }
        else
        {
            // An id no token has (e.g. the padding rows of Qwen3's 151,936-row embedding) decodes to nothing, as in
            // Hugging Face tokenizers.
            if (table.TextOf(id) is not string text) return;
            if (_pendingCount > 0) EmitPending(sb, _pendingCount);
            if (table.JoinWithSpace && _any) Append(sb, " ");
            _any = true;
            Append(sb, text);
        }
    }

    public override string Flush()
    {
        var sb = new StringBuilder();
        FlushInto(sb);
        return sb.ToString();
    }

    internal void FlushInto(StringBuilder sb)
    {
        if (_pendingCount > 0) EmitPending(sb, _pendingCount);
        _stripLeft = table.StripLeading;
        _any = false;
    }

    private void AddPending(byte[] bytes)
    {
        if (_pendingCount + bytes.Length > _pending.Length) Array.Resize(ref _pending, Math.Max(_pending.Length * 2, _pendingCount + bytes.Length));
        bytes.CopyTo(_pending, _pendingCount);
        _pendingCount += bytes.Length;
    }

    private void EmitPending(StringBuilder sb, int count)
    {
        Append(sb, Encoding.UTF8.GetString(_pending, 0, count));
        Array.Copy(_pending, count, _pending, 0, _pendingCount - count);
        _pendingCount -= count;
    }

    private void Append(StringBuilder sb, string s)
    {
        int i = 0;
        while (_stripLeft > 0 && i < s.Length && s[i] == table.StripChar) { i++; _stripLeft--; }
        if (i < s.Length) _stripLeft = 0;
        sb.Append(s, i, s.Length - i);
    }

    /// <summary>
    /// Length of the prefix of <paramref name="b"/> that can be decoded now: everything except a trailing sequence
    /// that is incomplete but still valid so far (its decoding depends on bytes not seen yet).
    /// </summary>
    internal static int CompletePrefixLength(ReadOnlySpan<byte> b)
    {
        int n = b.Length;
        int i = n - 1;
        while (i >= 0 && n - i < 4 && (b[i] & 0xC0) == 0x80) i--;
        if (i < 0) return n;
        byte lead = b[i];
        int need = lead switch { >= 0xC2 and <= 0xDF => 2, >= 0xE0 and <= 0xEF => 3, >= 0xF0 and <= 0xF4 => 4, _ => 0 };
        int have = n - i;
        if (need == 0 || have >= need) return n;
        if (have >= 2)
        {
            byte second = b[i + 1];
            bool ok = lead switch
            {
                0xE0 => second >= 0xA0,
                0xED => second <= 0x9F,
                0xF0 => second >= 0x90,
                0xF4 => second <= 0x8F,
                _ => true,
            };
            if (!ok) return n;
        }
        return i;
    }
}
