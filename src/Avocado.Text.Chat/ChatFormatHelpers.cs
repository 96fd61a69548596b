using System.Text;
using System.Text.Json;

namespace Avocado.Text.Chat;

internal static class ChatFormatHelpers
{
    public static void CheckMessages(IReadOnlyList<ChatMessage> messages, ChatOptions options, string family)
    {
        ArgumentNullException.ThrowIfNull(messages);
        ArgumentNullException.ThrowIfNull(options);
        if (messages.Count == 0) throw new ChatFormatException($"{family}: the conversation has no messages");
        for (int i = 0; i < messages.Count; i++)
        {
            if (messages[i] is null) throw new ChatFormatException($"{family}: message {i} is null", i);
            if (string.IsNullOrEmpty(messages[i].Role)) throw new ChatFormatException($"{family}: message {i} has no role", i);
        }
    }

    /// <summary>For formats of text-only models: content lists of text alone become their joined text (as the
    /// vision templates print them); an image or video part is refused with the reason.</summary>
    public static IReadOnlyList<ChatMessage> TextOnly(IReadOnlyList<ChatMessage> messages, string family)
    {
        if (!messages.Any(m => m?.Parts is not null)) return messages;
        return [.. messages.Select((m, i) =>
        {
            if (m?.Parts is not { } parts) return m!;
            if (parts.FirstOrDefault(p => p is not TextPart) is { } visual)
                throw new ChatFormatException($"{family}: message {i} has an {(visual is VideoPart ? "video" : "image")} part, but the {family} " +
                    "chat format is for a text-only model; use a checkpoint that sees (gemma3 with a vision tower, qwen3-vl)", i);
            return m with { Content = string.Concat(parts.Cast<TextPart>().Select(t => t.Text)), Parts = null };
        })];
    }

    public static string RequireContent(ChatMessage m, int index, string family) =>
        m.Content ?? throw new ChatFormatException($"{family}: message {index} ({m.Role}) has no content", index);

    public static ChatFormatException BadRole(ChatMessage m, int index, string family, string allowed) =>
        new($"{family}: message {index} has role '{m.Role}'; this format accepts {allowed}", index);

    /// <summary>A tool call's arguments printed as the templates' tojson prints the parsed object.</summary>
    public static string NormalizeArguments(ToolCall call, int messageIndex, int callIndex, string family)
    {
        if (call is null) throw new ChatFormatException($"{family}: message {messageIndex}: tool call {callIndex} is null", messageIndex);
        if (string.IsNullOrEmpty(call.Name))
            throw new ChatFormatException($"{family}: message {messageIndex}: tool call {callIndex} has no name", messageIndex);
        string args = string.IsNullOrWhiteSpace(call.ArgumentsJson) ? "{}" : call.ArgumentsJson;
        try
        {
            return PyJson.Normalize(args);
        }
        catch (JsonException e)
        {
            throw new ChatFormatException(
                $"{family}: message {messageIndex}: tool call {callIndex} ('{call.Name}') has arguments that are not valid JSON: {e.Message}",
                messageIndex);
        }
    }

    /// <summary>A tool definition as the OpenAI-style dict transformers passes to templates.</summary>
    public static string ToolJson(ToolDefinition tool)
    {
        var sb = new StringBuilder("{\"type\": \"function\", \"function\": {\"name\": ");
        PyJson.WriteString(sb, tool.Name);
        if (tool.Description is not null)
        {
            sb.Append(", \"description\": ");
            PyJson.WriteString(sb, tool.Description);
        }
        if (tool.Parameters is { } p)
        {
            sb.Append(", \"parameters\": ");
            PyJson.Write(sb, p);
        }
        return sb.Append("}}").ToString();
    }

    public static IReadOnlyList<ToolDefinition> CheckTools(ChatOptions options, string family)
    {
        var tools = options.Tools ?? Array.Empty<ToolDefinition>();
        for (int i = 0; i < tools.Count; i++)
        {
            if (tools[i] is null) throw new ChatFormatException($"{family}: tool {i} is null");
            if (string.IsNullOrEmpty(tools[i].Name)) throw new ChatFormatException($"{family}: tool {i} has no name");
        }
        return tools;
    }
}
