using System.Text.RegularExpressions;

namespace Avocado.Data.Verification;

/// <summary>
/// Multiple-choice answers: a letter A–J (A–E in most sets, A–J in MMLU-Pro) written as "B", "(B)", "[B]", "B.",
/// "B)", "B:", "**B**", "$\text{(B)}$", "Option B", "choice (B)", or a letter with the option's text after it:
/// "(B) 42", "B) 42", "B. 42".
/// </summary>
public static partial class ChoiceLetters
{
    /// <summary>
    /// The choice letter the answer names, upper case; false when it is not written as a choice. A lower-case letter
    /// counts only with <paramref name="allowLowerCase"/> (for answers compared against a choice reference; in free
    /// text "a" is a word). Without <paramref name="allowOptionText"/>, "(B) 42" and "B. 42" do not count (a
    /// reference "A. Smith" is a name, not a choice).
    /// </summary>
    public static bool TryParse(string? answer, out char letter, bool allowLowerCase = false, bool allowOptionText = true)
    {
        letter = '\0';
        var s = AnswerText.Clean(answer);
        var m = Choice().Match(s);
        if (!m.Success) return false;
        if (!allowOptionText && (m.Groups["t"].Success || m.Groups["rest"].Length > 0)) return false;
        var g = m.Groups["b"].Success ? m.Groups["b"] : m.Groups["p"].Success ? m.Groups["p"] : m.Groups["t"];
        char c = g.Value[0];
        if (char.IsLower(c) && !allowLowerCase) return false;
        letter = char.ToUpperInvariant(c);
        return true;
    }

    // b: bracketed "(B)" with optional text after; p: bare "B" with optional . ) : ; t: "B. text" / "B) text".
    [GeneratedRegex(
        @"^(?:(?i:option|choice)\s*)?(?:[(\[](?<b>[A-Ja-j])[)\]](?<rest>\s.*)?|(?<p>[A-Ja-j])[.):]?|(?<t>[A-Ja-j])[.):]\s+.+)$",
        RegexOptions.Singleline)]
    private static partial Regex Choice();
}
