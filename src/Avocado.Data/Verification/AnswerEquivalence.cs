using System.Text.RegularExpressions;

namespace Avocado.Data.Verification;

/// <summary>How two answers were compared.</summary>
public enum MatchMethod
{
    /// <summary>Not compared (no answer or no reference).</summary>
    None,

    /// <summary>Both read as choice letters (the reference is one).</summary>
    Choice,

    /// <summary>Both read as exact numbers (<see cref="NumericAnswer"/>).</summary>
    Numeric,

    /// <summary>Both are bracketed tuples or intervals, compared element by element.</summary>
    Tuple,

    /// <summary>Equal strings after <see cref="AnswerText.Normalize"/>.</summary>
    Exact,
}

/// <summary>Whether two answers are equivalent, and how that was decided.</summary>
public readonly record struct AnswerMatch(bool Equivalent, MatchMethod Method);

/// <summary>
/// Decides whether an answer equals a reference, trying in order:
/// <list type="number">
/// <item>choice letters, when the reference is one ("B", "(B)"): the answer must name the same letter;</item>
/// <item>numbers, exactly (rationals, no rounding): "1,000" = "1000" = "1e3", "0.5" = "1/2" = "\frac{1}{2}",
/// "$3.00" = "3", "5 cm" = "5", "−3" = "-3". Percent: the sign is dropped and the values compared as written
/// ("50%" = "50"); when the reference has a % and the answer has none, answer = reference / 100 also counts
/// ("0.5" = "50%"), never the other way round (a reference "0.5" does not accept "50%");</item>
/// <item>bracketed tuples and intervals of the same brackets, element by element: "(1, 2)" = "(1.0,2)";</item>
/// <item>strings after <see cref="AnswerText.Normalize"/> (case, spaces, <c>\text{}</c>, delimiters, final period).</item>
/// </list>
/// "x = 5" is read as "5" when the reference has no "="; against a numeric reference, an answer written as a
/// sentence with exactly one number in it ("The total is 42 dollars") is read as that number.
/// </summary>
public static partial class AnswerEquivalence
{
    public static AnswerMatch Compare(string answer, string reference)
    {
        ArgumentNullException.ThrowIfNull(answer);
        ArgumentNullException.ThrowIfNull(reference);

        if (ChoiceLetters.TryParse(reference, out char expected, allowLowerCase: true, allowOptionText: false))
        {
            bool same = ChoiceLetters.TryParse(answer, out char given, allowLowerCase: true) && given == expected;
            return new AnswerMatch(same, MatchMethod.Choice);
        }

        if (!reference.Contains('=') && Assignment().Match(AnswerText.Clean(answer)) is { Success: true } assignment)
            answer = assignment.Groups["value"].Value;

        if (NumericAnswer.TryParse(reference, out var r, out bool referencePercent)
            && (NumericAnswer.TryParse(answer, out var a, out bool answerPercent) || TryTheOneNumberOfASentence(answer, out a, out answerPercent)))
        {
            bool same = a == r || (referencePercent && !answerPercent && a == r * new Rational(1, 100));
            return new AnswerMatch(same, MatchMethod.Numeric);
        }

        if (TrySplitTuple(answer, out var answerBrackets, out var answerItems) && TrySplitTuple(reference, out var referenceBrackets, out var referenceItems))
        {
            bool same = answerBrackets == referenceBrackets && answerItems.Count == referenceItems.Count
                && answerItems.Zip(referenceItems).All(pair => Compare(pair.First, pair.Second).Equivalent);
            return new AnswerMatch(same, MatchMethod.Tuple);
        }

        var normalizedAnswer = AnswerText.Normalize(answer);
        return new AnswerMatch(normalizedAnswer.Length > 0 && normalizedAnswer == AnswerText.Normalize(reference), MatchMethod.Exact);
    }

    /// <summary>
    /// A key that equal answers share, for voting: "choice:B", "number:1/2" (percent signs dropped, as in
    /// <see cref="Compare"/>), or "text:" + the normalised text; null for an empty answer.
    /// </summary>
    public static string? CanonicalKey(string? answer)
    {
        if (string.IsNullOrWhiteSpace(answer)) return null;
        if (ChoiceLetters.TryParse(answer, out char letter)) return "choice:" + letter;
        var cleaned = AnswerText.Clean(answer);
        if (Assignment().Match(cleaned) is { Success: true } assignment) cleaned = assignment.Groups["value"].Value;
        if (NumericAnswer.TryParse(cleaned, out var value, out _)) return "number:" + value;
        var text = AnswerText.Normalize(cleaned);
        return text.Length == 0 ? null : "text:" + text;
    }

    /// <summary>
    /// "The total is 42 dollars" → 42: an answer written as a sentence (two or more words, no LaTeX, no math
    /// operators) holding exactly one number. "2 pi", "x = 5 and y = 3" and "5 more than 3" are not such sentences.
    /// </summary>
    private static bool TryTheOneNumberOfASentence(string answer, out Rational value, out bool isPercent)
    {
        value = Rational.Zero;
        isPercent = false;
        var s = AnswerText.Clean(answer);
        if (s.IndexOfAny(['\\', '=', '+', '*', '/', '^', '_', '<', '>']) >= 0 || SentenceWord().Count(s) < 2) return false;
        var numbers = StandaloneNumber().Matches(s);
        if (numbers.Count != 1) return false;
        var next = NextWord().Match(s, numbers[0].Index + numbers[0].Length);
        if (next.Success && NumericAnswer.IsNotAUnit(next.Groups[1].Value)) return false; // "2 pi radians"
        return NumericAnswer.TryParse(numbers[0].Value, out value, out isPercent);
    }

    /// <summary>"(1, 2]" → brackets "(]" and items "1", " 2"; false for anything but a bracketed list of two or more.</summary>
    private static bool TrySplitTuple(string text, out string brackets, out List<string> items)
    {
        items = [];
        var s = AnswerText.Clean(text);
        brackets = s.Length >= 3 ? $"{s[0]}{s[^1]}" : "";
        // The brackets are part of the identity: the interval (1, 2] is not [1, 2].
        if (brackets is not ("()" or "[]" or "(]" or "[)")) return false;
        // The close bracket must belong to the opening one: "(1)(2)" is not a tuple.
        int depth = 0, start = 1;
        for (int i = 0; i < s.Length; i++)
        {
            char c = s[i];
            if (c is '(' or '[' or '{') depth++;
            else if (c is ')' or ']' or '}')
            {
                depth--;
                if (depth == 0 && i != s.Length - 1) return false;
            }
            else if (c == ',' && depth == 1)
            {
                items.Add(s[start..i]);
                start = i + 1;
            }
        }
        items.Add(s[start..^1]);
        return items.Count >= 2; // "(5)" is a parenthesised value, not a tuple
    }

    [GeneratedRegex(@"\G\s*(\p{L}+)")]
    private static partial Regex NextWord();

    [GeneratedRegex(@"\b\p{L}{2,}\b")]
    private static partial Regex SentenceWord();

    // A number standing alone ("42", "-3", "$1,250.50", "50%"), not part of a word ("5x", "x2").
    [GeneratedRegex(@"(?<![\w.,])-?[$€£]?(?:\d{1,3}(?:,\d{3})+(?!\d)|\d+)(?:\.\d+)?%?(?![\w])")]
    private static partial Regex StandaloneNumber();

    // "x = 5", "n=12", "\theta = 30": a single name on the left.
    [GeneratedRegex(@"^\\?[A-Za-z]+(?:_\{?\w+\}?)?\s*=\s*(?<value>[^=]+)$")]
    private static partial Regex Assignment();
}
