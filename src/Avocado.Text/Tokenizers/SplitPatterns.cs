using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using static Avocado.Text.Tokenizers.CodePointClass;

namespace Avocado.Text.Tokenizers;

/// <summary>
/// A pre-tokenizer regex. The patterns of the supported families are matched by hand-written scanners that follow
/// the backtracking semantics of the regex exactly, on code points (so letters outside the BMP are letters), with
/// \s as the Unicode White_Space property and case-insensitive contractions as in Rust's regex (where 's also
/// matches U+017F ſ). Any other pattern falls back to .NET's Regex (UTF-16 semantics).
/// </summary>
internal abstract class SplitPattern
{
    /// <summary>Finds the first match starting at or after <paramref name="from"/>.</summary>
    public abstract bool NextMatch(ReadOnlySpan<char> text, int from, out int start, out int end);

    public const string Gpt2 = @"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+";
    public const string Qwen2 = @"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";
    public const string Cl100k = @"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";
    public const string O200k =
        @"[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?" +
        @"|[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?" +
        @"|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+";

    public static SplitPattern ForRegex(string pattern) => pattern switch
    {
        Qwen2 => new Cl100kStylePattern(maxDigits: 1),
        Cl100k => new Cl100kStylePattern(maxDigits: 3),
        O200k => new O200kPattern(),
        Gpt2 => new Gpt2Pattern(),
        _ => new RegexPattern(pattern),
    };

    public static SplitPattern ForLiteral(string literal) => new LiteralPattern(literal);

    public bool IsExact => this is not RegexPattern;
}

/// <summary>A pattern whose every position starts a match (true of all the supported ones).</summary>
internal abstract class ScannerPattern : SplitPattern
{
    /// <summary>End of the match starting at <paramref name="i"/>, or -1 when no alternative matches there.</summary>
    protected abstract int MatchAt(ReadOnlySpan<char> t, int i);

    public sealed override bool NextMatch(ReadOnlySpan<char> text, int from, out int start, out int end)
    {
        for (int i = from; i < text.Length; i++)
        {
            int e = MatchAt(text, i);
            if (e > i) { start = i; end = e; return true; }
        }
        start = end = text.Length;
        return false;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    protected static int Cp(ReadOnlySpan<char> t, int i, out int len)
    {
        char c = t[i];
        if (char.IsHighSurrogate(c) && i + 1 < t.Length && char.IsLowSurrogate(t[i + 1]))
        {
            len = 2;
            return char.ConvertToUtf32(c, t[i + 1]);
        }
        len = 1;
        return c;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    protected static int ClassAt(ReadOnlySpan<char> t, int i, out int len) => Of(Cp(t, i, out len));

    /// <summary>End of the run of characters having any of <paramref name="flags"/>, from <paramref name="i"/>.</summary>
    protected static int RunEnd(ReadOnlySpan<char> t, int i, int flags)
    {
        while (i < t.Length)
        {
            char c = t[i];
            if (c < 128)
            {
                if ((Of(c) & flags) == 0) break;
                i++;
                continue;
            }
            if ((ClassAt(t, i, out int len) & flags) == 0) break;
            i += len;
        }
        return i;
    }

    /// <summary>End of the run of characters having none of <paramref name="flags"/>.</summary>
    protected static int RunEndNot(ReadOnlySpan<char> t, int i, int flags)
    {
        while (i < t.Length)
        {
            if ((ClassAt(t, i, out int len) & flags) != 0) break;
            i += len;
        }
        return i;
    }

    protected static bool IsOtherThanLetterNumber(int cls) => (cls & (CrLf | Letter | Number)) == 0;

    /// <summary>Length of the contraction ('s 't 're 've 'm 'll 'd) at <paramref name="i"/> (which holds '), or 0.</summary>
    protected static int Contraction(ReadOnlySpan<char> t, int i, bool ignoreCase)
    {
        if (i + 1 >= t.Length) return 0;
        char a = t[i + 1];
        if (ignoreCase)
        {
            if (a == '\u017F') return 2; // ſ folds to s in Unicode case-insensitive matching
            a = (char)(a | 0x20);
            if (a is 's' or 't' or 'm' or 'd') return t[i + 1] < 128 ? 2 : 0;
            if (t[i + 1] >= 128 || i + 2 >= t.Length) return 0;
            char b = (char)(t[i + 2] | 0x20);
            if (t[i + 2] >= 128) return 0;
            return a == 'r' && b == 'e' || a == 'v' && b == 'e' || a == 'l' && b == 'l' ? 3 : 0;
        }
        if (a is 's' or 't' or 'm' or 'd') return 2;
        if (i + 2 >= t.Length) return 0;
        char c = t[i + 2];
        return a == 'r' && c == 'e' || a == 'v' && c == 'e' || a == 'l' && c == 'l' ? 3 : 0;
    }

    /// <summary>The whitespace alternatives \s*[\r\n]+ (when <paramref name="newlineAlternative"/>), \s+(?!\S), \s+.</summary>
    protected static int Whitespace(ReadOnlySpan<char> t, int i, bool newlineAlternative)
    {
        int end = i, lastNewline = -1, lastStart = i, count = 0;
        while (end < t.Length)
        {
            int cls = ClassAt(t, end, out int len);
            if ((cls & Space) == 0) break;
            if ((cls & CrLf) != 0) lastNewline = end;
            lastStart = end;
            end += len;
            count++;
        }
        if (count == 0) return -1;
        if (newlineAlternative && lastNewline >= 0) return lastNewline + 1;
        if (end == t.Length || count == 1) return end;
        return lastStart; // \s+(?!\S): leave the last whitespace character to the next match
    }
}

/// <summary>Qwen2/Qwen3 (one digit per token) and cl100k (up to three) patterns.</summary>
internal sealed class Cl100kStylePattern(int maxDigits) : ScannerPattern
{
    protected override int MatchAt(ReadOnlySpan<char> t, int i)
    {
        int c = Cp(t, i, out int len);
        if (c == '\'')
        {
            int k = Contraction(t, i, ignoreCase: true);
            if (k > 0) return i + k;
        }
        int cls = Of(c);
        if ((cls & Letter) != 0) return RunEnd(t, i + len, Letter);
        if (IsOtherThanLetterNumber(cls) && i + len < t.Length && (ClassAt(t, i + len, out _) & Letter) != 0)
            return RunEnd(t, i + len, Letter);
        if ((cls & Number) != 0)
        {
            int end = i + len;
            for (int n = 1; n < maxDigits && end < t.Length; n++)
            {
                if ((ClassAt(t, end, out int l) & Number) == 0) break;
                end += l;
            }
            return end;
        }
        int p = c == ' ' ? i + 1 : i;
        if (p < t.Length && (ClassAt(t, p, out _) & (Space | Letter | Number)) == 0)
        {
            int end = RunEndNot(t, p, Space | Letter | Number);
            while (end < t.Length && t[end] is '\r' or '\n') end++;
            return end;
        }
        return Whitespace(t, i, newlineAlternative: true);
    }
}

/// <summary>o200k_base / o200k_harmony.</summary>
internal sealed class O200kPattern : ScannerPattern
{
    protected override int MatchAt(ReadOnlySpan<char> t, int i)
    {
        int c = Cp(t, i, out int len);
        int cls = Of(c);
        int prefix = IsOtherThanLetterNumber(cls) ? len : -1;
        // [^\r\n\p{L}\p{N}]?[Upper]*[Lower]+(contraction)?
        if (prefix > 0)
        {
            int e = UpperThenLower(t, i + prefix);
            if (e >= 0) return WithContraction(t, e);
        }
        {
            int e = UpperThenLower(t, i);
            if (e >= 0) return WithContraction(t, e);
        }
        // [^\r\n\p{L}\p{N}]?[Upper]+[Lower]*(contraction)?
        if (prefix > 0)
        {
            int u = RunEnd(t, i + prefix, Upper);
            if (u > i + prefix) return WithContraction(t, RunEnd(t, u, Lower));
        }
        {
            int u = RunEnd(t, i, Upper);
            if (u > i) return WithContraction(t, RunEnd(t, u, Lower));
        }
        // \p{N}{1,3}
        if ((cls & Number) != 0)
        {
            int end = i + len;
            for (int n = 1; n < 3 && end < t.Length; n++)
            {
                if ((ClassAt(t, end, out int l) & Number) == 0) break;
                end += l;
            }
            return end;
        }
        //  ?[^\s\p{L}\p{N}]+[\r\n/]*
        int p = c == ' ' ? i + 1 : i;
        if (p < t.Length && (ClassAt(t, p, out _) & (Space | Letter | Number)) == 0)
        {
            int end = RunEndNot(t, p, Space | Letter | Number);
            while (end < t.Length && t[end] is '\r' or '\n' or '/') end++;
            return end;
        }
        return Whitespace(t, i, newlineAlternative: true);
    }

    /// <summary>[Upper]*[Lower]+ from <paramref name="s"/> with the regex's backtracking; -1 if it cannot match.</summary>
    private static int UpperThenLower(ReadOnlySpan<char> t, int s)
    {
        int u = RunEnd(t, s, Upper);
        // Greedy [Upper]* first; on failure give back one character at a time until [Lower]+ can start.
        int k = u;
        while (true)
        {
            if (k < t.Length && (ClassAt(t, k, out _) & Lower) != 0) return RunEnd(t, k, Lower);
            if (k == s) return -1;
            k--;
            if (k > s && char.IsLowSurrogate(t[k]) && char.IsHighSurrogate(t[k - 1])) k--;
        }
    }

    private static int WithContraction(ReadOnlySpan<char> t, int e) =>
        e < t.Length && t[e] == '\'' ? e + Contraction(t, e, ignoreCase: true) : e;
}

/// <summary>GPT-2's pattern (ByteLevel pre-tokenizer with use_regex).</summary>
internal sealed class Gpt2Pattern : ScannerPattern
{
    protected override int MatchAt(ReadOnlySpan<char> t, int i)
    {
        int c = Cp(t, i, out _);
        if (c == '\'')
        {
            int k = Contraction(t, i, ignoreCase: false);
            if (k > 0) return i + k;
        }
        int p = c == ' ' ? i + 1 : i;
        if (p < t.Length)
        {
            int cls = ClassAt(t, p, out int len);
            if ((cls & Letter) != 0) return RunEnd(t, p + len, Letter);
            if ((cls & Number) != 0) return RunEnd(t, p + len, Number);
            if ((cls & Space) == 0) return RunEndNot(t, p, Space | Letter | Number);
        }
        return Whitespace(t, i, newlineAlternative: false);
    }
}

internal sealed class LiteralPattern(string literal) : SplitPattern
{
    public override bool NextMatch(ReadOnlySpan<char> text, int from, out int start, out int end)
    {
        int k = literal.Length == 0 ? -1 : text[from..].IndexOf(literal.AsSpan(), StringComparison.Ordinal);
        if (k < 0) { start = end = text.Length; return false; }
        start = from + k;
        end = start + literal.Length;
        return true;
    }
}

internal sealed class RegexPattern(string pattern) : SplitPattern
{
    private readonly Regex _regex = new(pattern, RegexOptions.CultureInvariant);

    public override bool NextMatch(ReadOnlySpan<char> text, int from, out int start, out int end)
    {
        foreach (var m in _regex.EnumerateMatches(text, from))
        {
            if (m.Length == 0) continue;
            start = m.Index;
            end = m.Index + m.Length;
            return true;
        }
        start = end = text.Length;
        return false;
    }
}
