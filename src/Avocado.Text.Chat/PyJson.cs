using System.Globalization;
using System.Numerics;
using System.Text;
using System.Text.Json;

namespace Avocado.Text.Chat;

// Ours, not System.Text.Json: chat templates print Python json.dumps (", " separators, float repr, raw non-ASCII), which no .NET writer reproduces byte for byte.

/// <summary>
/// JSON as the chat templates print it: Python's <c>json.dumps(value, ensure_ascii=False)</c> after
/// <c>json.loads</c> (transformers' <c>tojson</c> filter): separators ", " and ": ", key order kept (a repeated
/// key keeps its first position and last value), non-ASCII written as is, floats as Python's repr
/// (1.0, 1e-05, 1e+16), integers exactly. Also Python's str() and truthiness of JSON values, which templates use.
/// </summary>
internal static class PyJson
{
    public static string Dumps(JsonElement value)
    {
        var sb = new StringBuilder();
        Write(sb, value);
        return sb.ToString();
    }

    /// <summary>Parses JSON text and prints it as the templates' tojson does.</summary>
    public static string Normalize(string json)
    {
        using var doc = JsonDocument.Parse(json);
        return Dumps(doc.RootElement);
    }

    public static string DumpsString(string s)
    {
        var sb = new StringBuilder(s.Length + 2);
        WriteString(sb, s);
        return sb.ToString();
    }

    public static void Write(StringBuilder sb, JsonElement value)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Object:
            {
                sb.Append('{');
                bool first = true;
                foreach (var (key, item) in Properties(value))
                {
                    if (!first) sb.Append(", ");
                    first = false;
                    WriteString(sb, key);
                    sb.Append(": ");
                    Write(sb, item);
                }
                sb.Append('}');
                break;
            }
            case JsonValueKind.Array:
            {
                sb.Append('[');
                bool first = true;
                foreach (var item in value.EnumerateArray())
                {
                    if (!first) sb.Append(", ");
                    first = false;
                    Write(sb, item);
                }
                sb.Append(']');
                break;
            }
            case JsonValueKind.String: WriteString(sb, value.GetString()!); break;
            case JsonValueKind.Number: sb.Append(Number(value.GetRawText())); break;
            case JsonValueKind.True: sb.Append("true"); break;
            case JsonValueKind.False: sb.Append("false"); break;
            case JsonValueKind.Null: sb.Append("null"); break;
            default: throw new ArgumentException($"cannot print a JSON {value.ValueKind}");
        }
    }

    /// <summary>An object's members as a Python dict holds them: a repeated key keeps its first position, last value.</summary>
    public static List<(string Key, JsonElement Value)> Properties(JsonElement obj)
    {
        var list = new List<(string, JsonElement)>();
        Dictionary<string, int>? seen = null;
        foreach (var p in obj.EnumerateObject())
        {
            seen ??= new Dictionary<string, int>(StringComparer.Ordinal);
            if (seen.TryGetValue(p.Name, out int at)) list[at] = (p.Name, p.Value);
            else
            {
                seen[p.Name] = list.Count;
                list.Add((p.Name, p.Value));
            }
        }
        return list;
    }

    /// <summary>A member's value as a Python dict lookup finds it (the last of repeated keys), or null.</summary>
    public static JsonElement? Get(JsonElement obj, string key)
    {
        if (obj.ValueKind != JsonValueKind.Object) return null;
        JsonElement? found = null;
        foreach (var p in obj.EnumerateObject())
            if (p.NameEquals(key)) found = p.Value;
        return found;
    }

    public static void WriteString(StringBuilder sb, string s)
    {
        sb.Append('"');
        foreach (char c in s)
        {
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                case '\b': sb.Append("\\b"); break;
                case '\f': sb.Append("\\f"); break;
                default:
                    if (c < 0x20) sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    else sb.Append(c);
                    break;
            }
        }
        sb.Append('"');
    }

    /// <summary>A JSON number as Python prints the value json.loads makes of it (int, or float repr).</summary>
    public static string Number(string raw)
    {
        if (raw.IndexOfAny(['.', 'e', 'E']) < 0)
            return BigInteger.Parse(raw, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture);
        double d = double.Parse(raw, NumberStyles.Float, CultureInfo.InvariantCulture);
        return FloatRepr(d);
    }

    /// <summary>Python's repr() of a float (the shortest round-trip digits; exponent form below 1e-4 and from 1e16).</summary>
    public static string FloatRepr(double d)
    {
        if (double.IsNaN(d)) return "NaN";
        if (double.IsPositiveInfinity(d)) return "Infinity";
        if (double.IsNegativeInfinity(d)) return "-Infinity";
        string r = d.ToString("R", CultureInfo.InvariantCulture);
        bool negative = r.StartsWith('-');
        if (negative) r = r[1..];
        int exp = 0;
        int e = r.IndexOfAny(['E', 'e']);
        if (e >= 0)
        {
            exp = int.Parse(r[(e + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
            r = r[..e];
        }
        int dot = r.IndexOf('.');
        string intPart = dot < 0 ? r : r[..dot];
        string frac = dot < 0 ? "" : r[(dot + 1)..];
        string digits = intPart + frac;
        int decpt = intPart.Length + exp;
        int lead = 0;
        while (lead < digits.Length && digits[lead] == '0') lead++;
        digits = digits[lead..];
        decpt -= lead;
        digits = digits.TrimEnd('0');
        string sign = negative ? "-" : "";
        if (digits.Length == 0) return sign + "0.0";
        if (decpt <= -4 || decpt > 16)
        {
            int x = decpt - 1;
            string mant = digits.Length == 1 ? digits : digits[..1] + "." + digits[1..];
            return sign + mant + "e" + (x < 0 ? "-" : "+") + Math.Abs(x).ToString("00", CultureInfo.InvariantCulture);
        }
        if (decpt <= 0) return sign + "0." + new string('0', -decpt) + digits;
        if (decpt >= digits.Length) return sign + digits + new string('0', decpt - digits.Length) + ".0";
        return sign + digits[..decpt] + "." + digits[decpt..];
    }

    /// <summary>Python's str() of the value json.loads makes (strings as they are; True/False/None; containers as repr).</summary>
    public static string Str(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString()!,
        _ => Repr(value),
    };

    private static string Repr(JsonElement value)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.String:
            {
                string s = value.GetString()!;
                char q = s.Contains('\'') && !s.Contains('"') ? '"' : '\'';
                var sb = new StringBuilder().Append(q);
                foreach (char c in s)
                {
                    if (c == q || c == '\\') sb.Append('\\').Append(c);
                    else if (c == '\n') sb.Append("\\n");
                    else if (c == '\r') sb.Append("\\r");
                    else if (c == '\t') sb.Append("\\t");
                    else if (c < 0x20 || c == 0x7f) sb.Append("\\x").Append(((int)c).ToString("x2", CultureInfo.InvariantCulture));
                    else sb.Append(c);
                }
                return sb.Append(q).ToString();
            }
            case JsonValueKind.Number: return Number(value.GetRawText()) switch { "Infinity" => "inf", "-Infinity" => "-inf", var n => n };
            case JsonValueKind.True: return "True";
            case JsonValueKind.False: return "False";
            case JsonValueKind.Null: return "None";
            case JsonValueKind.Array: return "[" + string.Join(", ", value.EnumerateArray().Select(Repr)) + "]";
            case JsonValueKind.Object:
                return "{" + string.Join(", ", Properties(value).Select(p => Repr(JsonSerializer.SerializeToElement(p.Key)) + ": " + Repr(p.Value))) + "}";
            default: return "";
        }
    }

    /// <summary>Python truthiness of a JSON value (null, false, 0, "", [], {} are false).</summary>
    public static bool Truthy(JsonElement? value)
    {
        if (value is not { } v) return false;
        return v.ValueKind switch
        {
            JsonValueKind.Null or JsonValueKind.Undefined or JsonValueKind.False => false,
            JsonValueKind.True => true,
            JsonValueKind.String => v.GetString()!.Length > 0,
            JsonValueKind.Number => double.Parse(v.GetRawText(), NumberStyles.Float, CultureInfo.InvariantCulture) != 0,
            JsonValueKind.Array => v.GetArrayLength() > 0,
            JsonValueKind.Object => v.EnumerateObject().Any(),
            _ => false,
        };
    }
}

/// <summary>Python string helpers the templates rely on (str.strip() whitespace differs from .NET's).</summary>
internal static class PyStr
{
    /// <summary>Python's str.isspace() for one character.</summary>
    public static bool IsSpace(char c) => c switch
    {
        >= '\t' and <= '\r' => true,
        >= '\x1c' and <= ' ' => true,
        '\x85' or '\xa0' or '\u1680' or '\u2028' or '\u2029' or '\u202f' or '\u205f' or '\u3000' => true,
        >= '\u2000' and <= '\u200a' => true,
        _ => false,
    };

    /// <summary>Python's s.strip() (Jinja's trim filter).</summary>
    public static string Strip(string s)
    {
        int start = 0, end = s.Length;
        while (start < end && IsSpace(s[start])) start++;
        while (end > start && IsSpace(s[end - 1])) end--;
        return s[start..end];
    }

    public static string Strip(string s, char c) => s.Trim(c);
    public static string LStrip(string s, char c) => s.TrimStart(c);
    public static string RStrip(string s, char c) => s.TrimEnd(c);
}
