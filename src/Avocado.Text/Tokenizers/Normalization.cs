using System.Text;
using System.Text.RegularExpressions;
using Avocado.Text.Tokenizers.Unicode;

namespace Avocado.Text.Tokenizers;

/// <summary>
/// A normalized piece of text and, per UTF-16 unit, the range of the source text it came from. A null alignment means
/// the text is the source itself.
/// </summary>
internal readonly struct NormalizedText(string text, int[]? sourceStart, int[]? sourceEnd)
{
    public string Text { get; } = text;
    public int[]? SourceStart { get; } = sourceStart;
    public int[]? SourceEnd { get; } = sourceEnd;
    public bool IsIdentity => SourceStart is null;

    public int StartOf(int k) => SourceStart is null ? k : SourceStart[k];
    public int EndOf(int k) => SourceEnd is null ? k + 1 : SourceEnd[k];

    /// <summary>Re-bases a further normalization (per new unit: range in <see cref="Text"/>) onto the source.</summary>
    public NormalizedText Then(string newText, int[] rangeStart, int[] rangeEnd)
    {
        var start = new int[newText.Length];
        var end = new int[newText.Length];
        for (int k = 0; k < newText.Length; k++)
        {
            int a = rangeStart[k], b = rangeEnd[k];
            if (b > a)
            {
                start[k] = StartOf(a);
                end[k] = EndOf(b - 1);
            }
            else
            {
                int at = a < Text.Length ? StartOf(a) : (Text.Length == 0 ? 0 : EndOf(Text.Length - 1));
                start[k] = end[k] = at;
            }
        }
        return new NormalizedText(newText, start, end);
    }
}

internal abstract class Normalizer
{
    public abstract NormalizedText Apply(NormalizedText input);

    /// <summary>The normalized text alone (no alignment kept): the fast path of encoding without offsets.</summary>
    public abstract string ApplyText(string text);

    /// <summary>Whether <see cref="ApplyText"/> would return the text unchanged (checked without copying).</summary>
    public virtual bool LeavesUnchanged(ReadOnlySpan<char> text) => false;

    public static Normalizer? FromJson(System.Text.Json.JsonElement? json, string file)
    {
        if (json is null || json.Value.ValueKind == System.Text.Json.JsonValueKind.Null) return null;
        var e = json.Value;
        string type = e.GetProperty("type").GetString() ?? "";
        switch (type)
        {
            case "NFC": return new NfcNormalizer();
            case "Sequence":
                return new SequenceNormalizer(e.GetProperty("normalizers").EnumerateArray()
                    .Select(x => FromJson(x, file)).OfType<Normalizer>().ToArray());
            case "Replace":
                {
                    var pattern = e.GetProperty("pattern");
                    string content = e.GetProperty("content").GetString() ?? "";
                    if (pattern.TryGetProperty("String", out var s)) return new ReplaceNormalizer(s.GetString() ?? "", null, content);
                    if (pattern.TryGetProperty("Regex", out var r)) return new ReplaceNormalizer(null, new Regex(r.GetString() ?? "", RegexOptions.CultureInvariant), content);
                    break;
                }
            case "Prepend": return new PrependNormalizer(e.GetProperty("prepend").GetString() ?? "");
        }
        throw new InvalidDataException($"{file}: normalizer '{type}' is not supported (supported: NFC, Replace, Prepend, Sequence).");
    }
}

internal sealed class NfcNormalizer : Normalizer
{
    public override NormalizedText Apply(NormalizedText input)
    {
        string? normalized = Nfc.Normalize(input.Text, out var start, out var end);
        return normalized is null ? input : input.Then(normalized, start!, end!);
    }

    public override string ApplyText(string text) => Nfc.Normalize(text);

    public override bool LeavesUnchanged(ReadOnlySpan<char> text) => Nfc.IsQuickNormalized(text);
}

internal sealed class SequenceNormalizer(Normalizer[] steps) : Normalizer
{
    public override NormalizedText Apply(NormalizedText input)
    {
        foreach (var step in steps) input = step.Apply(input);
        return input;
    }

    public override string ApplyText(string text)
    {
        foreach (var step in steps) text = step.ApplyText(text);
        return text;
    }

    public override bool LeavesUnchanged(ReadOnlySpan<char> text)
    {
        foreach (var step in steps) if (!step.LeavesUnchanged(text)) return false;
        return true;
    }
}

internal sealed class PrependNormalizer(string prefix) : Normalizer
{
    public override string ApplyText(string text) => text.Length == 0 ? text : prefix + text;

    public override NormalizedText Apply(NormalizedText input)
    {
        if (input.Text.Length == 0 || prefix.Length == 0) return input;
        string text = prefix + input.Text;
        var start = new int[text.Length];
        var end = new int[text.Length];
        for (int k = 0; k < text.Length; k++)
        {
            if (k < prefix.Length) { start[k] = 0; end[k] = 0; }
            else { start[k] = k - prefix.Length; end[k] = k - prefix.Length + 1; }
        }
        return input.Then(text, start, end);
    }
}

internal sealed class ReplaceNormalizer(string? literal, Regex? regex, string content) : Normalizer
{
    public override string ApplyText(string text) =>
        literal is not null ? (literal.Length == 0 ? text : text.Replace(literal, content, StringComparison.Ordinal)) : regex!.Replace(text, content.Replace("$", "$$"));

    public override bool LeavesUnchanged(ReadOnlySpan<char> text) =>
        literal is not null ? literal.Length == 0 || text.IndexOf(literal.AsSpan(), StringComparison.Ordinal) < 0 : !regex!.IsMatch(text);

    public override NormalizedText Apply(NormalizedText input)
    {
        string text = input.Text;
        var matches = new List<(int Start, int Length)>();
        if (literal is not null)
        {
            if (literal.Length == 0) return input;
            for (int i = text.IndexOf(literal, StringComparison.Ordinal); i >= 0; i = text.IndexOf(literal, i + literal.Length, StringComparison.Ordinal))
                matches.Add((i, literal.Length));
        }
        else
        {
            foreach (var m in regex!.EnumerateMatches(text))
                if (m.Length > 0) matches.Add((m.Index, m.Length));
        }
        if (matches.Count == 0) return input;
        // Same length, one unit for one unit: keep a unit-to-unit alignment (the common ' ' -> '▁' case).
        var sb = new StringBuilder(text.Length + matches.Count * Math.Max(0, content.Length - 1));
        var start = new List<int>(text.Length);
        var end = new List<int>(text.Length);
        int pos = 0;
        foreach (var (s, len) in matches)
        {
            for (int k = pos; k < s; k++) { sb.Append(text[k]); start.Add(k); end.Add(k + 1); }
            for (int k = 0; k < content.Length; k++)
            {
                sb.Append(content[k]);
                if (content.Length == len) { start.Add(s + k); end.Add(s + k + 1); }
                else { start.Add(s); end.Add(s + len); }
            }
            pos = s + len;
        }
        for (int k = pos; k < text.Length; k++) { sb.Append(text[k]); start.Add(k); end.Add(k + 1); }
        return input.Then(sb.ToString(), [.. start], [.. end]);
    }
}
