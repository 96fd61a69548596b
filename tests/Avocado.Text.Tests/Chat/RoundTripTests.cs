using Avocado.Text.Chat;

namespace Avocado.Text.Tests.Chat;

/// <summary>
/// A rendered final assistant turn, cut after the generation prompt, parses back to the message's parts; and the
/// streaming parser, fed that text in any chunking, yields the same parts.
/// </summary>
public class RoundTripTests
{
    private static readonly ChatOptions Options = new() { CurrentDate = new DateOnly(2025, 8, 5) };

    private static readonly ToolDefinition Weather = new("get_weather", "Get the weather",
        System.Text.Json.JsonDocument.Parse("""{"type": "object", "properties": {"location": {"type": "string"}}, "required": ["location"]}""").RootElement.Clone());

    public static TheoryData<string, string> Cases() => new()
    {
        { "qwen3", "reasoning_content" },
        { "qwen3", "reasoning_tool_calls" },
        { "qwen3", "content_tool_calls" },
        { "qwen3", "content_only" },
        { "gemma3", "content_only" },
        { "gpt-oss", "reasoning_content" },
        { "gpt-oss", "reasoning_tool_call" },
        { "gpt-oss", "reasoning_preamble_tool_call" },
        { "gpt-oss", "content_only" },
    };

    private static ChatMessage Last(string kind) => kind switch
    {
        "reasoning_content" => ChatMessage.Assistant("The capital of France is **Paris**.\n\nIt has been since 987.",
            reasoning: "The user asks about France.\nParis is the capital."),
        "reasoning_tool_calls" => ChatMessage.Assistant("", reasoning: "Two cities: two calls.", toolCalls:
        [
            new ToolCall("get_weather", """{"location": "Paris, France"}"""),
            new ToolCall("get_weather", """{"location": "Rome", "days": [1, 2.5, {"x": null}]}"""),
        ]),
        "content_tool_calls" => ChatMessage.Assistant("Let me check.", reasoning: "Check weather.", toolCalls:
            [new ToolCall("get_weather", """{"location": "Paris"}""")]),
        "content_only" => ChatMessage.Assistant("Paris. 😀 \"Quoted\" — done."),
        "reasoning_tool_call" => ChatMessage.Assistant(null, reasoning: "I need the weather tool.", toolCalls:
            [new ToolCall("get_weather", """{"location": "Paris, France", "note": "é\n\"x\""}""")]),
        "reasoning_preamble_tool_call" => ChatMessage.Assistant("Checking the weather for you.", reasoning: "Call the tool.", toolCalls:
            [new ToolCall("get_weather", """{"location": "Paris"}""")]),
        _ => throw new ArgumentException(kind),
    };

    /// <summary>Renders the conversation with and without its last assistant message; returns the generated part.</summary>
    internal static string RenderedReply(IChatFormat format, ChatMessage last)
    {
        var prefix = new List<ChatMessage> { ChatMessage.System("You are helpful."), ChatMessage.User("What is the capital of France, and its weather?") };
        var options = Options with { Tools = format.Family == "gemma3" ? null : [Weather] };
        string prompt = format.Render(prefix, options);
        string full = format.Render([.. prefix, last], options with { AddGenerationPrompt = false });
        Assert.True(full.StartsWith(prompt, StringComparison.Ordinal), $"the rendered conversation does not start with the generation prompt:\n{prompt}\n---\n{full}");
        return full[prompt.Length..];
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void RenderedReplyParsesBackToTheMessage(string family, string kind)
    {
        var format = ChatFormats.For(family);
        var last = Last(kind);
        string reply = RenderedReply(format, last);
        var parsed = format.Parse(reply);
        var expected = new ParsedReply(family == "gemma3" ? null : last.Reasoning, last.Content ?? "", last.ToolCalls ?? []);
        ReplyAssert.Same(expected, parsed, $"{family}/{kind} from {reply}:");
        Assert.Contains(format.StopTokens, s => reply.TrimEnd('\n').EndsWith(s, StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void StreamingParserAgreesForAnyChunking(string family, string kind)
    {
        var format = ChatFormats.For(family);
        string reply = RenderedReply(format, Last(kind));
        StreamingTests.AssertStreamingMatchesParse(format, reply);
    }
}
