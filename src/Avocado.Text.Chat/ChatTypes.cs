using System.Text.Json;

namespace Avocado.Text.Chat;

/// <summary>
/// One message of a conversation, OpenAI style. <see cref="Role"/> is "system", "developer" (gpt-oss only),
/// "user", "assistant" or "tool". <see cref="Reasoning"/> is an assistant's chain of thought (Qwen3
/// <c>reasoning_content</c>, gpt-oss <c>thinking</c>); <see cref="ToolCalls"/> are an assistant's function calls;
/// <see cref="Name"/> and <see cref="ToolCallId"/> identify, on a "tool" message, which call it answers.
/// </summary>
public sealed record ChatMessage(string Role, string? Content = null)
{
    public string? Reasoning { get; init; }
    public IReadOnlyList<ToolCall>? ToolCalls { get; init; }
    public string? Name { get; init; }
    public string? ToolCallId { get; init; }

    /// <summary>A user message that mixes text with images or videos, in order (OpenAI's content list). When set,
    /// <see cref="Content"/> is null. Only formats of models that see accept visual parts.</summary>
    public IReadOnlyList<ContentPart>? Parts { get; init; }

    public static ChatMessage System(string content) => new(ChatRoles.System, content);
    public static ChatMessage UserParts(params ContentPart[] parts) => new(ChatRoles.User) { Parts = parts };
    public static ChatMessage User(string content) => new(ChatRoles.User, content);
    public static ChatMessage Assistant(string? content, string? reasoning = null, IReadOnlyList<ToolCall>? toolCalls = null) =>
        new(ChatRoles.Assistant, content) { Reasoning = reasoning, ToolCalls = toolCalls };
    public static ChatMessage Tool(string content, string? name = null, string? toolCallId = null) =>
        new(ChatRoles.Tool, content) { Name = name, ToolCallId = toolCallId };
}

/// <summary>Role names used by <see cref="ChatMessage.Role"/>.</summary>
public static class ChatRoles
{
    public const string System = "system";
    public const string Developer = "developer";
    public const string User = "user";
    public const string Assistant = "assistant";
    public const string Tool = "tool";
}

/// <summary>A function call: the function's name and its arguments as JSON text (an object, usually).</summary>
public sealed record ToolCall(string Name, string ArgumentsJson, string? Id = null);

/// <summary>A function the model may call: name, description and JSON-schema parameters (an "object" schema).</summary>
public sealed record ToolDefinition(string Name, string? Description, JsonElement? Parameters);

public enum ReasoningEffort { Low, Medium, High }

public sealed record ChatOptions
{
    /// <summary>Append the opening of an assistant turn, for generation.</summary>
    public bool AddGenerationPrompt { get; init; } = true;

    /// <summary>Qwen3: false appends an empty think block to the generation prompt (no reasoning).</summary>
    public bool EnableThinking { get; init; } = true;

    /// <summary>gpt-oss: the system message's "Reasoning:" line.</summary>
    public ReasoningEffort Effort { get; init; } = ReasoningEffort.Medium;

    /// <summary>Functions offered to the model (Qwen3, gpt-oss; Gemma 3 has no tool format).</summary>
    public IReadOnlyList<ToolDefinition>? Tools { get; init; }

    /// <summary>gpt-oss: the system message's "Current date:"; null means today (local time), as the template does.</summary>
    public DateOnly? CurrentDate { get; init; }
}

/// <summary>A parsed reply: the reasoning (null when there was none), the answer, and the tool calls.</summary>
public sealed record ParsedReply(string? Reasoning, string Content, IReadOnlyList<ToolCall> ToolCalls);

/// <summary>A conversation file's messages and tools.</summary>
public sealed record ChatConversation(IReadOnlyList<ChatMessage> Messages, IReadOnlyList<ToolDefinition> Tools);

/// <summary>One piece of a message's content list. The pixels travel beside the prompt; a part only marks where the
/// model reads them.</summary>
public abstract record ContentPart;

public sealed record TextPart(string Text) : ContentPart;

/// <summary>An image: the chat template writes the family's image marker here.</summary>
public sealed record ImagePart : ContentPart;

/// <summary>A video: the chat template writes the family's video marker here.</summary>
public sealed record VideoPart : ContentPart;
