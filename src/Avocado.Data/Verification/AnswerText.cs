using System.Text;
using System.Text.RegularExpressions;

namespace Avocado.Data.Verification;

/// <summary>
/// Cleans an answer's wrapping so that equal answers read alike: math delimiters, Markdown emphasis,
/// <c>\text{…}</c>, spacing commands, <c>\dfrac</c>, degree signs, Unicode minus and odd spaces.
/// </summary>
public static partial class AnswerText
{
    private static readonly string[] TextCommands = [@"\text", @"\textbf", @"\textit", @"\textrm", @"\mathrm", @"\mathbf", @"\mathit", @"\mbox", @"\operatorname"];

    /// <summary>
    /// The answer with its wrapping removed but its case kept (numbers and choice letters are read from this):
    /// <c>$…$</c>, <c>\(…\)</c>, <c>\[…\]</c>, <c>**…**</c>, backticks and quotes around the whole answer;
    /// <c>\text{cm}</c> → " cm "; <c>\left</c>, <c>\right</c>, <c>\,</c>, <c>\!</c>, <c>~</c>; <c>\dfrac</c> and
    /// <c>\tfrac</c> → <c>\frac</c>, <c>\frac12</c> → <c>\frac{1}{2}</c>; <c>^\circ</c> and ° dropped;
    /// <c>\%</c> → %, <c>\$</c> → $; − (U+2212) → -; a final period dropped.
    /// </summary>
    public static string Clean(string? answer)
    {
        if (string.IsNullOrWhiteSpace(answer)) return "";
        var s = answer.Replace('\u2212', '-').Replace('\u00A0', ' ').Replace('\u2009', ' ').Replace('\u202F', ' ');
        s = LatexBraces.ReplaceCommand(s, TextCommands, content => " " + content + " ");
        s = LeftRight().Replace(s, "");
        s = s.Replace(@"\displaystyle", "")
            .Replace(@"\!", "").Replace(@"\,", "").Replace(@"\;", " ").Replace(@"\:", " ").Replace(@"\ ", " ")
            .Replace("{,}", ",").Replace(@"\dfrac", @"\frac").Replace(@"\tfrac", @"\frac")
            .Replace(@"^{\circ}", "").Replace(@"^\circ", "").Replace("°", "")
            .Replace(@"\%", "%").Replace(@"\$", "$").Replace('~', ' ');
        s = ShortFrac().Replace(s, @"\frac{$1}{$2}");
        s = ShortSqrt().Replace(s, @"\sqrt{$1}");

        // Peel wrappers until none is left: "**$\frac12$**." needs three rounds.
        string before;
        do
        {
            before = s;
            s = s.Trim();
            if (s.EndsWith('.') && !s.EndsWith("..", StringComparison.Ordinal)) s = s[..^1].TrimEnd();
            s = Unwrap(s, "$$", "$$") ?? Unwrap(s, "$", "$") ?? Unwrap(s, @"\(", @"\)") ?? Unwrap(s, @"\[", @"\]")
                ?? Unwrap(s, "**", "**") ?? Unwrap(s, "__", "__") ?? Unwrap(s, "`", "`") ?? Unwrap(s, "\"", "\"")
                ?? Unwrap(s, "*", "*") ?? s;
        } while (s != before);
        return CollapseSpaces(s);
    }

    /// <summary>
    /// The form two answers are compared in as strings: <see cref="Clean"/>, lower case, and spaces kept only
    /// between two letters or digits ("x^2 + 1" = "x^2+1", "( 1, 2 )" = "(1,2)", "new york" keeps its space).
    /// </summary>
    public static string Normalize(string? answer)
    {
        var s = Clean(answer).ToLowerInvariant();
        var sb = new StringBuilder(s.Length);
        for (int i = 0; i < s.Length; i++)
        {
            if (s[i] == ' ')
            {
                bool keep = i > 0 && i + 1 < s.Length && char.IsLetterOrDigit(s[i - 1]) && char.IsLetterOrDigit(s[i + 1]);
                if (keep) sb.Append(' ');
                continue;
            }
            sb.Append(s[i]);
        }
        return sb.ToString();
    }

    private static string? Unwrap(string s, string open, string close) =>
        s.Length >= open.Length + close.Length + 1 && s.StartsWith(open, StringComparison.Ordinal) && s.EndsWith(close, StringComparison.Ordinal)
            ? s[open.Length..^close.Length]
            : null;

    private static string CollapseSpaces(string s) => Whitespace().Replace(s, " ").Trim();

    // \left( and \right] size delimiters, but not \leftarrow or \rightarrow.
    [GeneratedRegex(@"\\(?:left|right)(?![a-zA-Z])")]
    private static partial Regex LeftRight();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();

    // \frac12 and \frac 1 2: LaTeX takes one token per argument.
    [GeneratedRegex(@"\\frac\s*([0-9a-zA-Z])\s*([0-9a-zA-Z])")]
    private static partial Regex ShortFrac();

    [GeneratedRegex(@"\\sqrt\s*([0-9a-zA-Z])")]
    private static partial Regex ShortSqrt();
}
