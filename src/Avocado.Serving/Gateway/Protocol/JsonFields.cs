using System.Text.Json;

namespace Avocado.Serving.Gateway.Protocol;

/// <summary>Typed reads of request fields that turn every wrong type or range into a 400 naming the field.</summary>
public readonly struct JsonFields(JsonElement obj, string prefix = "")
{
    public JsonElement Element => obj;

    string Name(string field) => prefix + field;

    public bool Has(string field) => obj.TryGetProperty(field, out var v) && v.ValueKind != JsonValueKind.Null;

    public JsonElement? Get(string field) =>
        obj.TryGetProperty(field, out var v) && v.ValueKind != JsonValueKind.Null ? v : null;

    public string RequiredString(string field) =>
        String(field) ?? throw ApiError.BadRequest($"Missing required parameter: '{Name(field)}'.", Name(field), "missing_required_parameter");

    public string? String(string field) => Get(field) is not { } v ? null
        : v.ValueKind == JsonValueKind.String ? v.GetString()
        : throw Invalid(field, "a string");

    public bool? Bool(string field) => Get(field) is not { } v ? null
        : v.ValueKind is JsonValueKind.True or JsonValueKind.False ? v.GetBoolean()
        : throw Invalid(field, "a boolean");

    public long? Integer(string field, long min, long max)
    {
        if (Get(field) is not { } v) return null;
        if (v.ValueKind != JsonValueKind.Number || !v.TryGetInt64(out var n)) throw Invalid(field, "an integer");
        if (n < min || n > max) throw ApiError.BadRequest($"'{Name(field)}' must be between {min} and {max}, got {n}.", Name(field), "invalid_value");
        return n;
    }

    public double? Number(string field, double min, double max)
    {
        if (Get(field) is not { } v) return null;
        if (v.ValueKind != JsonValueKind.Number) throw Invalid(field, "a number");
        var d = v.GetDouble();
        if (!(d >= min && d <= max)) throw ApiError.BadRequest($"'{Name(field)}' must be between {min} and {max}, got {d}.", Name(field), "invalid_value");
        return d;
    }

    public JsonElement? Array(string field) => Get(field) is not { } v ? null
        : v.ValueKind == JsonValueKind.Array ? v : throw Invalid(field, "an array");

    public JsonElement? Object(string field) => Get(field) is not { } v ? null
        : v.ValueKind == JsonValueKind.Object ? v : throw Invalid(field, "an object");

    /// <summary><c>stop</c>: a string or an array of up to <paramref name="max"/> strings.</summary>
    public IReadOnlyList<string> StringOrArray(string field, int max)
    {
        if (Get(field) is not { } v) return [];
        if (v.ValueKind == JsonValueKind.String) return [v.GetString()!];
        if (v.ValueKind != JsonValueKind.Array) throw Invalid(field, "a string or an array of strings");
        var list = new List<string>();
        foreach (var item in v.EnumerateArray())
            list.Add(item.ValueKind == JsonValueKind.String ? item.GetString()! : throw Invalid(field, "a string or an array of strings"));
        if (list.Count > max) throw ApiError.BadRequest($"'{Name(field)}' accepts at most {max} entries.", Name(field), "invalid_value");
        return list;
    }

    ApiError Invalid(string field, string expected) =>
        ApiError.BadRequest($"Invalid type for '{Name(field)}': expected {expected}.", Name(field), "invalid_type");
}
