using System.Text.RegularExpressions;

namespace Avocado.Data.Verification;

/// <summary>
/// Finds the answer in a model reply. The final answer is searched first and wins over anything in the reasoning
/// (a model often drafts answers while thinking and corrects them later). Within one text the precedence is:
/// <list type="number">
/// <item><c>#### x</c> on the last non-empty line (GSM8K style; higher up, #### is a Markdown heading);</item>
/// <item>the last complete <c>\boxed{x}</c> / <c>\fbox{x}</c>;</item>
/// <item>the later of "the answer is x" and an "Answer: x" line (both are the model stating its answer);</item>
/// <item>a last line that is a choice letter alone ("(B)", "**C**");</item>
/// <item>the last number (final answer only, and only with <see cref="AnswerExtractionOptions.LastNumberFallback"/>).</item>
/// </list>
/// The reasoning is searched only when the final answer yields nothing, and only for 1–3.
/// A final answer that still holds a <c>&lt;think&gt;…&lt;/think&gt;</c> block is split at <c>&lt;/think&gt;</c> first.
/// </summary>
public static partial class AnswerExtractor
{
    /// <summary>The answer of a reply (final answer and reasoning kept apart), or null when there is none.</summary>
    public static ExtractedAnswer? Extract(string? finalAnswer, string? reasoning, AnswerExtractionOptions? options = null)
    {
        options ??= AnswerExtractionOptions.Default;
        var final = finalAnswer ?? "";
        int thinkEnd = final.LastIndexOf("</think>", StringComparison.Ordinal);
        if (thinkEnd >= 0)
        {
            var embedded = final[..thinkEnd].Replace("<think>", "");
            reasoning = string.IsNullOrEmpty(reasoning) ? embedded : reasoning + "\n" + embedded;
            final = final[(thinkEnd + "</think>".Length)..];
        }

        var found = FromText(final, AnswerLocation.Final, allowWeakForms: true, options.LastNumberFallback);
        if (found is null && options.SearchReasoning && !string.IsNullOrWhiteSpace(reasoning))
            found = FromText(reasoning, AnswerLocation.Reasoning, allowWeakForms: false, lastNumber: false);
        return found;
    }

    private static ExtractedAnswer? FromText(string text, AnswerLocation location, bool allowWeakForms, bool lastNumber)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;

        if (Usable(AnswerMarkers.AfterHashMarks(text, onLastLineOnly: true)) is { } hashed)
            return new ExtractedAnswer(hashed, ExtractionMethod.HashMarks, location);

        if (Usable(AnswerMarkers.LastBoxed(text)) is { } boxed)
            return new ExtractedAnswer(boxed, ExtractionMethod.Boxed, location);

        if (LastAnswerPhrase(text) is { } phrase)
            return new ExtractedAnswer(phrase.Text, phrase.Method, location);

        if (!allowWeakForms) return null;

        var lastLine = LastNonEmptyLine(text);
        if (lastLine is not null && ChoiceLetters.TryParse(lastLine, out _))
            return new ExtractedAnswer(AnswerText.Clean(lastLine), ExtractionMethod.ChoiceLetter, location);

        if (lastNumber)
        {
            var numbers = Number().Matches(text);
            if (numbers.Count > 0)
                return new ExtractedAnswer(numbers[^1].Value.Trim(), ExtractionMethod.LastNumber, location);
        }
        return null;
    }

    private static (string Text, ExtractionMethod Method)? LastAnswerPhrase(string text)
    {
        var candidates = new List<(int Position, string Value, ExtractionMethod Method)>();
        foreach (Match m in AnswerIs().Matches(text))
            candidates.Add((m.Index, CutAtSentenceEnd(m.Groups["v"].Value), ExtractionMethod.AnswerIs));
        foreach (Match m in AnswerLabel().Matches(text))
        {
            var value = m.Groups["v"].Value;
            // "**Final Answer**" alone on its line: the answer is on the next non-empty line.
            if (string.IsNullOrWhiteSpace(value)) value = NextNonEmptyLine(text, m.Index + m.Length) ?? "";
            candidates.Add((m.Index, value, ExtractionMethod.AnswerLabel));
        }
        foreach (var (_, value, method) in candidates.OrderByDescending(c => c.Position))
        {
            if (Usable(Captured(value)) is { } answer) return (answer, method);
        }
        return null;
    }

    /// <summary>A phrase's value, cleaned: a box inside it wins, then wrapping and a final period go.</summary>
    private static string Captured(string value)
    {
        if (AnswerMarkers.LastBoxed(value) is { } boxed) return boxed;
        return AnswerText.Clean(value.Trim().TrimStart(':', '：').Trim());
    }

    // "42. Let me check" → "42"; "42, which is even" → "42"; "3.5" and "(1, 2)" stay whole.
    private static string CutAtSentenceEnd(string value)
    {
        var m = SentenceEnd().Match(value);
        return m.Success ? value[..m.Index] : value;
    }

    private static string? Usable(string? answer) => string.IsNullOrWhiteSpace(answer) ? null : answer.Trim();

    private static string? LastNonEmptyLine(string text)
    {
        var lines = text.Split('\n');
        for (int i = lines.Length - 1; i >= 0; i--)
            if (!string.IsNullOrWhiteSpace(lines[i])) return lines[i].Trim();
        return null;
    }

    private static string? NextNonEmptyLine(string text, int from)
    {
        foreach (var line in text[from..].Split('\n'))
            if (!string.IsNullOrWhiteSpace(line)) return line.Trim();
        return null;
    }

    [GeneratedRegex(@"\banswer\s+(?:is|would\s+be|will\s+be|=)\s*[:：]?\s*(?<v>[^\n]+)", RegexOptions.IgnoreCase)]
    private static partial Regex AnswerIs();

    // "Answer: 42", "**Final Answer:** 42", "### Final answer", "> Answer：B".
    [GeneratedRegex(@"^[ \t>*#_-]*(?:final\s+)?answer[ \t*_]*(?:[:：][ \t*_]*(?<v>[^\n]*)|(?<v>))$",
        RegexOptions.IgnoreCase | RegexOptions.Multiline)]
    private static partial Regex AnswerLabel();

    [GeneratedRegex(@"\.(?:\s|$)|,\s+(?=\p{L})|;\s")]
    private static partial Regex SentenceEnd();

    // Signed, comma-grouped, decimal, fraction, exponent, percent, or \frac{a}{b}; not the tail of a word ("x2").
    [GeneratedRegex(
        @"(?<![\w.,])(?:[-−+]\s?)?[$€£]?(?:\\d?frac\{-?\d+\}\{\d+\}|(?:\d{1,3}(?:,\d{3})+(?!\d)|\d+)(?:\.\d+)?(?:/\d+(?:\.\d+)?)?(?:[eE][-+]?\d+)?%?)")]
    private static partial Regex Number();
}
