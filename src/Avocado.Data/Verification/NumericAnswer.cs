using System.Globalization;
using System.Numerics;
using System.Text.RegularExpressions;

namespace Avocado.Data.Verification;

/// <summary>
/// Reads an answer as an exact number. Accepted: integers and decimals ("1000", "1,000", "3.00", ".5"), with a
/// sign ("-3", "−3", "+3"), currency ("$3.00", "-$3", "3€"), an exponent ("1e3", "2 \times 10^{3}"), a fraction
/// ("1/2", "\frac{1}{2}", "-\frac{3}{4}"), a percent sign ("50%", "50\%", "50 percent"), and trailing unit words
/// ("5 cm", "5\text{ cm}", "12 apples", "5cm" for common unit abbreviations, "3rd"). The thousands separator must
/// group by three ("1,2" is not a number: it is probably a list). Anything else ("\sqrt{2}", "2\pi", "x+1", "1 1/2")
/// is not a number and is compared as text.
/// </summary>
public static partial class NumericAnswer
{
    // An exponent this large is not an answer; refusing it keeps BigInteger.Pow from being asked for 10^1000000.
    private const int MaxExponent = 400;

    // Units written straight after the number ("5cm"); after a space any word counts as a unit.
    private static readonly HashSet<string> AttachedUnits = new(StringComparer.Ordinal)
    {
        "mm", "cm", "m", "km", "in", "ft", "yd", "mi", "g", "kg", "mg", "lb", "lbs", "oz", "t", "s", "sec", "ms",
        "min", "mins", "h", "hr", "hrs", "ml", "mL", "l", "L", "mph", "kph", "kmh", "st", "nd", "rd", "th", "k", "K",
        "px", "pt", "GB", "MB", "KB", "TB", "W", "kW", "V", "A", "J", "N", "Hz",
    };

    // Words after a number that make it an expression, not a quantity with a unit: "2 pi", "3 i", "5 x".
    private static readonly HashSet<string> NotUnits = new(StringComparer.OrdinalIgnoreCase)
    {
        "pi", "π", "i", "e", "x", "y", "z", "n", "sqrt", "and", "or", "to", "times", "plus", "minus", "over",
    };

    /// <summary>
    /// The answer's value, exactly, and whether it carried a percent sign (the value is then the number as written:
    /// "50%" gives 50 with <paramref name="isPercent"/> true); false when the answer is not a plain number.
    /// </summary>
    public static bool TryParse(string? answer, out Rational value, out bool isPercent)
    {
        value = Rational.Zero;
        isPercent = false;
        var s = AnswerText.Clean(answer);
        if (s.Length == 0 || s.Length > 200) return false;

        var m = Number().Match(s);
        if (!m.Success) return false;
        if (m.Groups["s1"].Length > 0 && m.Groups["s2"].Length > 0) return false; // "-$-3"
        bool negative = m.Groups["s1"].Value == "-" || m.Groups["s2"].Value == "-";

        Rational magnitude;
        if (m.Groups["fa"].Success)
        {
            if (!TryDecimal(m.Groups["fa"].Value, out var a) || !TryDecimal(m.Groups["fb"].Value, out var b) || b == Rational.Zero) return false;
            magnitude = a / b;
        }
        else
        {
            if (!TryDecimal(m.Groups["a"].Value, out magnitude)) return false;
            var exponentGroup = m.Groups["e"].Success ? m.Groups["e"] : m.Groups["e2"];
            if (exponentGroup.Success)
            {
                if (!int.TryParse(exponentGroup.Value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int exponent)
                    || Math.Abs(exponent) > MaxExponent) return false;
                magnitude *= Rational.PowerOfTen(exponent);
            }
            if (m.Groups["b"].Success)
            {
                if (!TryDecimal(m.Groups["b"].Value, out var divisor) || divisor == Rational.Zero) return false;
                magnitude /= divisor;
            }
        }

        if (!TryReadTail(m.Groups["tail"].Value, attached: m.Groups["gap"].Length == 0, out isPercent)) return false;
        value = negative ? -magnitude : magnitude;
        return true;
    }

    /// <summary>Whether a word after a number makes it an expression ("2 pi", "3 i", "5 times"), not a quantity with a unit.</summary>
    internal static bool IsNotAUnit(string word) => NotUnits.Contains(word);

    /// <summary>"1,234.50", "3.", ".5" (a signed one too, for fraction parts) as an exact rational.</summary>
    private static bool TryDecimal(string text, out Rational value)
    {
        value = Rational.Zero;
        bool negative = text.StartsWith('-');
        text = text.TrimStart('-', '+').Replace(",", "");
        int dot = text.IndexOf('.');
        string whole = dot < 0 ? text : text[..dot];
        string fraction = dot < 0 ? "" : text[(dot + 1)..];
        string digits = whole + fraction;
        if (digits.Length == 0 || !BigInteger.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var n)) return false;
        value = new Rational(negative ? -n : n, BigInteger.Pow(10, fraction.Length));
        return true;
    }

    /// <summary>What may follow the number: nothing, a percent sign, a currency sign, or unit words.</summary>
    private static bool TryReadTail(string tail, bool attached, out bool isPercent)
    {
        isPercent = false;
        tail = tail.Trim();
        if (tail.EndsWith('%'))
        {
            isPercent = true;
            tail = tail[..^1].Trim();
        }
        else if (PercentWord().Match(tail) is { Success: true } pm)
        {
            isPercent = true;
            tail = tail[..pm.Index].Trim();
            attached = false;
        }
        if (tail.Length == 0) return true;
        if (tail is "$" or "€" or "£" or "¥" or "₹") return true;
        if (!UnitWords().IsMatch(tail)) return false;
        var firstWord = UnitWordSplit().Split(tail)[0];
        if (NotUnits.Contains(firstWord)) return false;
        return !attached || AttachedUnits.Contains(firstWord);
    }

    private const string Decimal = @"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d*)?|\.\d+";

    [GeneratedRegex(
        @"^(?<s1>[-+]?)\s*[$€£¥₹]?\s*(?<s2>[-+]?)\s*" +
        @"(?:\\frac\{\s*(?<fa>[-+]?(?:" + Decimal + @"))\s*\}\{\s*(?<fb>[-+]?(?:" + Decimal + @"))\s*\}" +
        @"|(?<a>" + Decimal + @")" +
        @"(?:[eE](?<e>[-+]?\d+)|\s*(?:\\times|\\cdot|×|\*)\s*10\^(?:\{(?<e2>[-+]?\d+)\}|(?<e2>\d)))?" +
        @"(?:\s*/\s*(?<b>" + Decimal + @"))?)" +
        @"(?<gap>\s*)(?<tail>.*)$")]
    private static partial Regex Number();

    // "cm", "km/h", "m^2", "cm²", "square feet", "dollars per hour", "sq. ft".
    [GeneratedRegex(@"^\p{L}[\p{L}.]*(?:\^\{?\d\}?|[²³])?(?:\s*(?:/|\s)\s*\p{L}[\p{L}.]*(?:\^\{?\d\}?|[²³])?)*$")]
    private static partial Regex UnitWords();

    [GeneratedRegex(@"[\s/^.²³]+")]
    private static partial Regex UnitWordSplit();

    [GeneratedRegex(@"\s*\bper\s*cent\s*$|\s*\bpercent\s*$", RegexOptions.IgnoreCase)]
    private static partial Regex PercentWord();
}
