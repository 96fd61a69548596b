using System.Text.Json;

namespace Avocado.Data.Prompts;

/// <summary>
/// One line of a prompt file, parsed, with typed field access whose errors name the file, the line and the field.
/// </summary>
internal sealed class PromptRecord(JsonElement root, string file, int line)
{
    public JsonElement Root { get; } = root;

    public string File { get; } = file;

    public int Line { get; } = line;

    public bool Has(string field) => Root.TryGetProperty(field, out var v) && v.ValueKind != JsonValueKind.Null;

    public PromptFileException Error(string? field, string problem, Exception? inner = null) => new(File, Line, field, problem, inner);

    /// <summary>
    /// A string field, null when absent or null; with <paramref name="allowNumber"/> a number is taken as its JSON
    /// text (ids and answers are often numbers, prompts never are).
    /// </summary>
    public string? OptionalText(string field, bool allowNumber = false)
    {
        if (!Root.TryGetProperty(field, out var v)) return null;
        return v.ValueKind switch
        {
            JsonValueKind.Null => null,
            JsonValueKind.String => v.GetString(),
            JsonValueKind.Number when allowNumber => v.GetRawText(),
            _ => throw Error(field, $"field \"{field}\" must be a string, not {Kind(v)}"),
        };
    }

    /// <summary>The first of <paramref name="fields"/> present, as <see cref="OptionalText"/>; an empty value is an error.</summary>
    public (string Field, string Value)? FirstText(string[] fields, bool allowNumber = false)
    {
        foreach (var field in fields)
        {
            var value = OptionalText(field, allowNumber);
            if (value is null) continue;
            if (string.IsNullOrWhiteSpace(value)) throw Error(field, $"field \"{field}\" is empty; leave it out when there is nothing to give");
            return (field, value);
        }
        return null;
    }

    /// <summary>A string field that must be present and not empty; <paramref name="hint"/> says what the layout expects.</summary>
    public string RequiredText(string field, string hint)
    {
        if (!Has(field)) throw Error(field, $"missing field \"{field}\" ({hint})");
        var value = OptionalText(field, allowNumber: false)!;
        if (string.IsNullOrWhiteSpace(value)) throw Error(field, $"field \"{field}\" is empty ({hint})");
        return value;
    }

    public static string Kind(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        _ => "null",
    };
}
