using System.Text;
using System.Text.Json;

namespace Avocado.Text.Chat;

/// <summary>
/// The developer message's "# Tools" section of gpt-oss: each function as a TypeScript-like type inside
/// <c>namespace functions { … }</c>, printed as gpt-oss's chat template prints it, whitespace quirks included
/// (nested object members and oneOf defaults carry the template's indentation).
/// </summary>
internal static class HarmonyTools
{
    private const string NestedMemberIndent = "\n                ";   // 16 spaces, as the template prints
    private const string OneOfDefaultIndent = "                    "; // 20 spaces

    public static void RenderNamespace(StringBuilder sb, IReadOnlyList<ToolDefinition> tools)
    {
        sb.Append("## functions\n\nnamespace functions {\n\n");
        foreach (var tool in tools)
        {
            // The template requires a description (it fails without one); a tool without one gets no comment line.
            if (tool.Description is not null) sb.Append("// ").Append(tool.Description).Append('\n');
            sb.Append("type ").Append(tool.Name).Append(" = ");
            var parameters = tool.Parameters;
            var properties = parameters is { } p ? PyJson.Get(p, "properties") : null;
            if (PyJson.Truthy(parameters) && PyJson.Truthy(properties) && properties!.Value.ValueKind == JsonValueKind.Object)
            {
                sb.Append("(_: {\n");
                var required = PyJson.Get(parameters!.Value, "required");
                foreach (var (name, spec) in PyJson.Properties(properties.Value))
                {
                    var description = PyJson.Get(spec, "description");
                    if (PyJson.Truthy(description)) sb.Append("// ").Append(PyJson.Str(description!.Value)).Append('\n');
                    sb.Append(name);
                    if (!Contains(required, name)) sb.Append('?');
                    sb.Append(": ").Append(TypeOf(spec));
                    if (PyJson.Get(spec, "default") is { } dflt)
                    {
                        if (PyJson.Truthy(PyJson.Get(spec, "enum"))) sb.Append(", // default: ").Append(PyJson.Str(dflt));
                        else if (PyJson.Truthy(PyJson.Get(spec, "oneOf"))) sb.Append("// default: ").Append(PyJson.Str(dflt));
                        else sb.Append(", // default: ").Append(PyJson.Dumps(dflt));
                    }
                    sb.Append(",\n");
                }
                sb.Append("}) => any;\n\n");
            }
            else
            {
                sb.Append("() => any;\n\n");
            }
        }
        sb.Append("} // namespace functions");
    }

    /// <summary>Python's <c>name in (required or [])</c>.</summary>
    private static bool Contains(JsonElement? required, string name)
    {
        if (!PyJson.Truthy(required)) return false;
        var r = required!.Value;
        return r.ValueKind switch
        {
            JsonValueKind.Array => r.EnumerateArray().Any(x => x.ValueKind == JsonValueKind.String && x.GetString() == name),
            JsonValueKind.String => r.GetString()!.Contains(name, StringComparison.Ordinal),
            JsonValueKind.Object => PyJson.Get(r, name) is not null,
            _ => false,
        };
    }

    private static bool TypeIs(JsonElement? type, string name) =>
        type is { ValueKind: JsonValueKind.String } t && t.GetString() == name;

    /// <summary>A JSON-schema node as a TypeScript-like type (the template's render_typescript_type).</summary>
    public static string TypeOf(JsonElement spec)
    {
        var type = PyJson.Get(spec, "type");
        bool nullable = PyJson.Truthy(PyJson.Get(spec, "nullable"));
        if (TypeIs(type, "array"))
        {
            string t;
            if (PyJson.Get(spec, "items") is { } items)
            {
                var itemType = PyJson.Get(items, "type");
                if (TypeIs(itemType, "string")) t = "string[]";
                else if (TypeIs(itemType, "number") || TypeIs(itemType, "integer")) t = "number[]";
                else if (TypeIs(itemType, "boolean")) t = "boolean[]";
                else
                {
                    string inner = TypeOf(items);
                    t = inner == "object | object" || CodePoints(inner) > 50 ? "any[]" : inner + "[]";
                }
            }
            else t = "any[]";
            return nullable ? t + " | null" : t;
        }
        if (type is { ValueKind: JsonValueKind.Array } list && list.GetArrayLength() > 0)
            return string.Join(" | ", list.EnumerateArray().Select(PyJson.Str));
        var oneOf = PyJson.Get(spec, "oneOf");
        if (PyJson.Truthy(oneOf))
        {
            var variants = oneOf!.Value.ValueKind == JsonValueKind.Array ? oneOf.Value.EnumerateArray().ToList() : [];
            // The template means to print "any" for unions with an object variant, but its flag is set inside a
            // Jinja for loop, whose scope drops it: every variant is printed.
            var sb = new StringBuilder();
            for (int k = 0; k < variants.Count; k++)
            {
                var v = variants[k];
                sb.Append(TypeOf(v));
                if (PyJson.Get(v, "description") is { } d && PyJson.Truthy(d)) sb.Append("// ").Append(PyJson.Str(d));
                if (PyJson.Get(v, "default") is { } dv) sb.Append(OneOfDefaultIndent).Append("// default: ").Append(PyJson.Dumps(dv));
                if (k < variants.Count - 1) sb.Append(" | \n");
            }
            return sb.ToString();
        }
        if (TypeIs(type, "string"))
        {
            var en = PyJson.Get(spec, "enum");
            if (PyJson.Truthy(en) && en!.Value.ValueKind == JsonValueKind.Array)
                return "\"" + string.Join("\" | \"", en.Value.EnumerateArray().Select(PyJson.Str)) + "\"";
            return nullable ? "string | null" : "string";
        }
        if (TypeIs(type, "number") || TypeIs(type, "integer")) return "number";
        if (TypeIs(type, "boolean")) return "boolean";
        if (TypeIs(type, "object"))
        {
            var properties = PyJson.Get(spec, "properties");
            if (!PyJson.Truthy(properties) || properties!.Value.ValueKind != JsonValueKind.Object) return "object";
            var required = PyJson.Get(spec, "required");
            var sb = new StringBuilder("{\n");
            var members = PyJson.Properties(properties.Value);
            for (int k = 0; k < members.Count; k++)
            {
                var (name, member) = members[k];
                sb.Append(name);
                if (!Contains(required, name)) sb.Append('?');
                sb.Append(": ").Append(NestedMemberIndent).Append(TypeOf(member));
                if (k < members.Count - 1) sb.Append(", ");
            }
            return sb.Append('}').ToString();
        }
        return "any";
    }

    private static int CodePoints(string s)
    {
        int n = 0;
        for (int i = 0; i < s.Length; i++)
        {
            if (char.IsHighSurrogate(s[i]) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1])) i++;
            n++;
        }
        return n;
    }
}
