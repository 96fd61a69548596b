namespace Avocado.Data.Verification;

/// <summary>
/// The two explicit answer markers of math data: GSM8K's final line <c>#### 42</c> and MATH's <c>\boxed{…}</c>
/// (also <c>\fbox{…}</c> and the brace-less <c>\boxed 5</c>). Used for reference solutions and model replies alike.
/// </summary>
public static class AnswerMarkers
{
    private static readonly string[] BoxCommands = [@"\boxed", @"\fbox"];

    /// <summary>
    /// The content of the last complete <c>\boxed{…}</c> or <c>\fbox{…}</c> (nested braces balanced, <c>\{</c>
    /// literal), or of a brace-less <c>\boxed 5</c> (up to the next space or <c>$</c>); null when there is none.
    /// A box that is never closed (a reply cut off) is skipped in favour of an earlier complete one.
    /// </summary>
    public static string? LastBoxed(string? text)
    {
        if (string.IsNullOrEmpty(text)) return null;
        int best = -1;
        string? bestContent = null;
        foreach (var command in BoxCommands)
        {
            int from = text.Length;
            while (from > 0)
            {
                int at = text.LastIndexOf(command, from - 1, StringComparison.Ordinal);
                if (at < 0 || at <= best) break;
                if (TryReadBoxArgument(text, at + command.Length, out var content))
                {
                    best = at;
                    bestContent = content.Trim();
                    break;
                }
                from = at;
            }
        }
        return string.IsNullOrEmpty(bestContent) ? null : bestContent;
    }

    /// <summary>
    /// The text after the last <c>####</c>, to the end of its line, trimmed; null when there is no such marker or
    /// nothing follows it. With <paramref name="onLastLineOnly"/>, the marker counts only on the text's last
    /// non-empty line: in model replies a <c>#### Step 2</c> higher up is a Markdown heading, not an answer.
    /// </summary>
    public static string? AfterHashMarks(string? text, bool onLastLineOnly = false)
    {
        if (string.IsNullOrEmpty(text)) return null;
        int at = text.LastIndexOf("####", StringComparison.Ordinal);
        if (at < 0) return null;
        int lineEnd = text.IndexOf('\n', at);
        if (lineEnd < 0) lineEnd = text.Length;
        if (onLastLineOnly && !string.IsNullOrWhiteSpace(text[lineEnd..])) return null;
        var value = text[(at + 4)..lineEnd].TrimStart('#').Trim();
        return value.Length == 0 ? null : value;
    }

    private static bool TryReadBoxArgument(string text, int i, out string content)
    {
        content = "";
        // "\boxedx" is another command's name, not a box.
        if (i < text.Length && char.IsAsciiLetter(text[i])) return false;
        int start = i;
        while (i < text.Length && (text[i] == ' ' || text[i] == '\t')) i++;
        if (i < text.Length && text[i] == '{') return LatexBraces.TryReadGroup(text, i, out content, out _);
        if (i == start) return false; // "\boxed5" without a space is not how the brace-less form is written
        int end = i;
        while (end < text.Length && !char.IsWhiteSpace(text[end]) && text[end] != '$') end++;
        content = text[i..end];
        return content.Length > 0;
    }
}
