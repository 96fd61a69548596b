namespace Avocado.Data.Verification;

/// <summary>Reads balanced LaTeX brace groups; <c>\{</c> and <c>\}</c> are literal braces, not group delimiters.</summary>
internal static class LatexBraces
{
    /// <summary>
    /// The content of the group opening at <paramref name="open"/> (which must be '{') and the index of its closing
    /// brace; false when the group is never closed (a reply cut off mid-answer).
    /// </summary>
    public static bool TryReadGroup(string text, int open, out string content, out int close)
    {
        content = "";
        close = -1;
        if (open >= text.Length || text[open] != '{') return false;
        int depth = 0;
        for (int i = open; i < text.Length; i++)
        {
            char c = text[i];
            if (c == '\\')
            {
                i++; // skip the escaped character: \{ \} \\ never open or close a group
                continue;
            }
            if (c == '{') depth++;
            else if (c == '}' && --depth == 0)
            {
                close = i;
                content = text.Substring(open + 1, i - open - 1);
                return true;
            }
        }
        return false;
    }

    /// <summary>
    /// Replaces every <c>\command{arg}</c> of the given commands by <paramref name="replace"/>(arg), nested groups
    /// included; an unclosed group is left as it is.
    /// </summary>
    public static string ReplaceCommand(string text, IReadOnlyList<string> commands, Func<string, string> replace)
    {
        foreach (var command in commands)
        {
            int searchFrom = 0;
            while (true)
            {
                int at = text.IndexOf(command, searchFrom, StringComparison.Ordinal);
                if (at < 0) break;
                int open = at + command.Length;
                // "\textbf" must not match the command "\text": the name has to end here.
                if (open < text.Length && char.IsAsciiLetter(text[open]))
                {
                    searchFrom = open;
                    continue;
                }
                while (open < text.Length && text[open] == ' ') open++;
                if (!TryReadGroup(text, open, out var content, out int close))
                {
                    searchFrom = at + command.Length;
                    continue;
                }
                var replacement = replace(content);
                text = string.Concat(text.AsSpan(0, at), replacement, text.AsSpan(close + 1));
                searchFrom = at; // the argument may itself hold the command: look again from here
            }
        }
        return text;
    }
}
