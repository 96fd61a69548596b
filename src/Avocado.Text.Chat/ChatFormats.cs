using System.Text;
using System.Text.Json;

namespace Avocado.Text.Chat;

/// <summary>The chat formats by family name, and OpenAI-style conversation files.</summary>
public static class ChatFormats
{
    /// <summary>The family names <see cref="For"/> knows (aliases aside).</summary>
    public static IReadOnlyList<string> Families { get; } = ["qwen3", "gemma3", "gpt-oss"];

    /// <summary>The chat format of a family: "qwen3", "gemma3" or "gpt-oss" (case-insensitive; "gemma-3", "gpt_oss", "gptoss", "harmony" also work).</summary>
    public static IChatFormat For(string family)
    {
        ArgumentNullException.ThrowIfNull(family);
        return family.Trim().ToLowerInvariant() switch
        {
            "qwen3" or "qwen-3" or "qwen" => new Qwen3ChatFormat(),
            "gemma3" or "gemma-3" or "gemma3_text" => new Gemma3ChatFormat(),
            "gpt-oss" or "gpt_oss" or "gptoss" or "harmony" => new HarmonyChatFormat(),
            _ => throw new ArgumentException($"unknown model family '{family}'; known: {string.Join(", ", Families)}", nameof(family)),
        };
    }

    /// <summary>The messages of an OpenAI-style conversation file (see <see cref="ReadConversationFile"/>).</summary>
    public static IReadOnlyList<ChatMessage> ReadMessagesFile(string path) => ReadConversationFile(path).Messages;

    /// <summary>
    /// Reads an OpenAI-style conversation: a JSON array of messages, or an object {"messages": [...], "tools": [...]}.
    /// A message: {"role", "content" (string, null, or [{"type": "text", "text": …}]), "reasoning_content" (or
    /// "reasoning" or "thinking"), "tool_calls": [{"id"?, "function": {"name", "arguments"}}], "name",
    /// "tool_call_id"}; arguments may be a JSON string or a JSON value. A tool: {"type": "function", "function":
    /// {"name", "description", "parameters"}} or the inner object alone.
    /// </summary>
    /// <exception cref="ChatFormatException">The file is not valid JSON or not such a conversation (the message names the field).</exception>
    public static ChatConversation ReadConversationFile(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        string text;
        try
        {
            text = File.ReadAllText(path, Encoding.UTF8);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ChatFormatException($"{path}: cannot read the file: {e.Message}", e);
        }
        return ParseConversation(text, path);
    }

    /// <summary>Parses conversation JSON text (the format of <see cref="ReadConversationFile"/>); <paramref name="source"/> names it in errors.</summary>
    public static ChatConversation ParseConversation(string json, string source = "conversation")
    {
        ArgumentNullException.ThrowIfNull(json);
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(json, new JsonDocumentOptions { AllowTrailingCommas = false, CommentHandling = JsonCommentHandling.Skip });
        }
        catch (JsonException e)
        {
            throw new ChatFormatException($"{source}: not valid JSON: {e.Message}", e);
        }
        using (doc)
        {
            var root = doc.RootElement;
            JsonElement messagesElement;
            JsonElement? toolsElement = null;
            string prefix;
            if (root.ValueKind == JsonValueKind.Array)
            {
                messagesElement = root;
                prefix = "";
            }
            else if (root.ValueKind == JsonValueKind.Object)
            {
                if (!root.TryGetProperty("messages", out messagesElement))
                    throw new ChatFormatException($"{source}: the object has no \"messages\" array");
                if (messagesElement.ValueKind != JsonValueKind.Array)
                    throw new ChatFormatException($"{source}: \"messages\" must be an array, not {Kind(messagesElement)}");
                if (root.TryGetProperty("tools", out var t) && t.ValueKind != JsonValueKind.Null) toolsElement = t;
                prefix = "messages";
            }
            else
            {
                throw new ChatFormatException($"{source}: expected an array of messages or an object with \"messages\", not {Kind(root)}");
            }

            var messages = new List<ChatMessage>();
            int i = 0;
            foreach (var m in messagesElement.EnumerateArray())
            {
                messages.Add(ReadMessage(m, $"{source}: {prefix}[{i}]"));
                i++;
            }
            var tools = new List<ToolDefinition>();
            if (toolsElement is { } te)
            {
                if (te.ValueKind != JsonValueKind.Array) throw new ChatFormatException($"{source}: \"tools\" must be an array, not {Kind(te)}");
                int k = 0;
                foreach (var tool in te.EnumerateArray())
                {
                    tools.Add(ReadTool(tool, $"{source}: tools[{k}]"));
                    k++;
                }
            }
            return new ChatConversation(messages, tools);
        }
    }

    private static ChatMessage ReadMessage(JsonElement m, string where)
    {
        if (m.ValueKind != JsonValueKind.Object) throw new ChatFormatException($"{where}: a message must be an object, not {Kind(m)}");
        string role = RequiredString(m, "role", where);
        string? content = null;
        if (m.TryGetProperty("content", out var c))
        {
            content = c.ValueKind switch
            {
                JsonValueKind.String => c.GetString(),
                JsonValueKind.Null => null,
                JsonValueKind.Array => ReadContentParts(c, where + ".content"),
                _ => throw new ChatFormatException($"{where}.content: expected a string, null or an array of text parts, not {Kind(c)}"),
            };
        }
        string? reasoning = null;
        foreach (var key in new[] { "reasoning_content", "reasoning", "thinking" })
        {
            var r = OptionalString(m, key, where);
            if (r is null) continue;
            if (reasoning is not null && reasoning != r)
                throw new ChatFormatException($"{where}: both \"{key}\" and another reasoning field are given, with different texts");
            reasoning = r;
        }
        List<ToolCall>? calls = null;
        if (m.TryGetProperty("tool_calls", out var tc) && tc.ValueKind != JsonValueKind.Null)
        {
            if (tc.ValueKind != JsonValueKind.Array) throw new ChatFormatException($"{where}.tool_calls: expected an array, not {Kind(tc)}");
            calls = [];
            int j = 0;
            foreach (var call in tc.EnumerateArray())
            {
                calls.Add(ReadToolCall(call, $"{where}.tool_calls[{j}]"));
                j++;
            }
        }
        return new ChatMessage(role, content)
        {
            Reasoning = reasoning,
            ToolCalls = calls,
            Name = OptionalString(m, "name", where),
            ToolCallId = OptionalString(m, "tool_call_id", where),
        };
    }

    private static string ReadContentParts(JsonElement parts, string where)
    {
        var sb = new StringBuilder();
        int i = 0;
        foreach (var part in parts.EnumerateArray())
        {
            string w = $"{where}[{i}]";
            if (part.ValueKind == JsonValueKind.String) sb.Append(part.GetString());
            else if (part.ValueKind == JsonValueKind.Object)
            {
                string type = RequiredString(part, "type", w);
                if (type != "text") throw new ChatFormatException($"{w}.type: only text parts are supported, not '{type}'");
                sb.Append(RequiredString(part, "text", w));
            }
            else throw new ChatFormatException($"{w}: expected a text part object, not {Kind(part)}");
            i++;
        }
        return sb.ToString();
    }

    private static ToolCall ReadToolCall(JsonElement call, string where)
    {
        if (call.ValueKind != JsonValueKind.Object) throw new ChatFormatException($"{where}: a tool call must be an object, not {Kind(call)}");
        string? id = OptionalString(call, "id", where);
        var fn = call;
        string fw = where;
        if (call.TryGetProperty("function", out var f))
        {
            if (f.ValueKind != JsonValueKind.Object) throw new ChatFormatException($"{where}.function: expected an object, not {Kind(f)}");
            fn = f;
            fw = where + ".function";
        }
        string name = RequiredString(fn, "name", fw);
        string args = "{}";
        if (fn.TryGetProperty("arguments", out var a))
        {
            switch (a.ValueKind)
            {
                case JsonValueKind.String:
                    args = a.GetString()!;
                    try
                    {
                        using var _ = JsonDocument.Parse(args.Length == 0 ? "{}" : args);
                    }
                    catch (JsonException e)
                    {
                        throw new ChatFormatException($"{fw}.arguments: the string is not valid JSON: {e.Message}", e);
                    }
                    break;
                case JsonValueKind.Null: break;
                default: args = PyJson.Dumps(a); break;
            }
        }
        return new ToolCall(name, args, id);
    }

    private static ToolDefinition ReadTool(JsonElement tool, string where)
    {
        if (tool.ValueKind != JsonValueKind.Object) throw new ChatFormatException($"{where}: a tool must be an object, not {Kind(tool)}");
        var fn = tool;
        string fw = where;
        if (tool.TryGetProperty("function", out var f))
        {
            if (f.ValueKind != JsonValueKind.Object) throw new ChatFormatException($"{where}.function: expected an object, not {Kind(f)}");
            fn = f;
            fw = where + ".function";
        }
        else if (tool.TryGetProperty("type", out var type) && type.ValueKind == JsonValueKind.String && type.GetString() != "function")
        {
            throw new ChatFormatException($"{where}.type: only function tools are supported, not '{type.GetString()}'");
        }
        string name = RequiredString(fn, "name", fw);
        string? description = OptionalString(fn, "description", fw);
        JsonElement? parameters = null;
        if (fn.TryGetProperty("parameters", out var p) && p.ValueKind != JsonValueKind.Null)
        {
            if (p.ValueKind != JsonValueKind.Object) throw new ChatFormatException($"{fw}.parameters: expected a JSON-schema object, not {Kind(p)}");
            parameters = p.Clone();
        }
        return new ToolDefinition(name, description, parameters);
    }

    private static string RequiredString(JsonElement obj, string key, string where)
    {
        if (!obj.TryGetProperty(key, out var v)) throw new ChatFormatException($"{where}: missing \"{key}\"");
        if (v.ValueKind != JsonValueKind.String) throw new ChatFormatException($"{where}.{key}: expected a string, not {Kind(v)}");
        return v.GetString()!;
    }

    private static string? OptionalString(JsonElement obj, string key, string where)
    {
        if (!obj.TryGetProperty(key, out var v) || v.ValueKind == JsonValueKind.Null) return null;
        if (v.ValueKind != JsonValueKind.String) throw new ChatFormatException($"{where}.{key}: expected a string, not {Kind(v)}");
        return v.GetString();
    }

    private static string Kind(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        _ => e.ValueKind.ToString(),
    };
}
