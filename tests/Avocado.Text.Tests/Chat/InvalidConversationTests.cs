using Avocado.Text.Chat;

namespace Avocado.Text.Tests.Chat;

/// <summary>Conversations a family cannot render give a ChatFormatException naming the message.</summary>
public class InvalidConversationTests
{
    private static readonly ChatOptions Options = new() { CurrentDate = new DateOnly(2025, 8, 5) };

    public static TheoryData<string, string, int?> RejectedByTheTemplateToo()
    {
        var data = new TheoryData<string, string, int?>
        {
            { "gemma3", "assistant_first", 0 },
            { "gemma3", "two_users", 1 },
            { "gemma3", "system_then_assistant", 1 },
            { "gemma3", "late_system", 2 },
            { "gpt-oss", "tool_without_call", 1 },
            { "gpt-oss", "tool_after_final", 3 },
            { "gpt-oss", "channel_tags_in_content", 1 },
        };
        foreach (var family in new[] { "qwen3", "gemma3", "gpt-oss" }) data.Add(family, "empty", null);
        return data;
    }

    private static IReadOnlyList<ChatMessage> Conversation(string name) => name switch
    {
        "empty" => [],
        "assistant_first" => [ChatMessage.Assistant("Hello"), ChatMessage.User("Hi")],
        "two_users" => [ChatMessage.User("Hi"), ChatMessage.User("Anyone?")],
        "system_then_assistant" => [ChatMessage.System("Be nice."), ChatMessage.Assistant("Hello")],
        "late_system" => [ChatMessage.User("Hi"), ChatMessage.Assistant("Hello"), ChatMessage.System("Be nice.")],
        "tool_without_call" => [ChatMessage.User("Hi"), ChatMessage.Tool("42")],
        "tool_after_final" =>
        [
            ChatMessage.User("Hi"),
            ChatMessage.Assistant(null, toolCalls: [new ToolCall("f", "{}")]),
            ChatMessage.Assistant("Done."),
            ChatMessage.Tool("42"),
        ],
        "channel_tags_in_content" => [ChatMessage.User("Hi"), ChatMessage.Assistant("<|channel|>analysis<|message|>hmm<|end|>")],
        _ => throw new ArgumentException(name),
    };

    [Theory]
    [MemberData(nameof(RejectedByTheTemplateToo))]
    public void RejectsWhatTheTemplateRejects(string family, string conversation, int? index)
    {
        var messages = Conversation(conversation);
        var reference = TemplateReference.Render(family, new ReferenceCase(messages, null, Options));
        Assert.False(reference.Ok, $"the {family} template was expected to reject '{conversation}' but rendered:\n{reference.Text}");
        var ex = Assert.Throws<ChatFormatException>(() => ChatFormats.For(family).Render(messages, Options));
        Assert.Equal(index, ex.MessageIndex);
        Assert.StartsWith(family + ":", ex.Message);
        if (index is { } i) Assert.Contains($"message {i}", ex.Message);
    }

    [Fact]
    public void GemmaAlternationErrorSaysWhatWasExpected()
    {
        var ex = Assert.Throws<ChatFormatException>(() =>
            ChatFormats.For("gemma3").Render([ChatMessage.System("s"), ChatMessage.User("a"), ChatMessage.Assistant("b"), ChatMessage.Assistant("c")], Options));
        Assert.Equal(3, ex.MessageIndex);
        Assert.Contains("alternate", ex.Message);
        Assert.Contains("message 3 is 'assistant' but 'user' was expected", ex.Message);
    }

    [Theory]
    [InlineData("tool")]
    [InlineData("developer")]
    public void GemmaRejectsRolesItHasNot(string role)
    {
        var ex = Assert.Throws<ChatFormatException>(() =>
            ChatFormats.For("gemma3").Render([ChatMessage.User("a"), new ChatMessage(role, "x")], Options));
        Assert.Equal(1, ex.MessageIndex);
        Assert.Contains($"role '{role}'", ex.Message);
    }

    [Fact]
    public void GemmaRejectsToolsAndToolCalls()
    {
        var gemma = ChatFormats.For("gemma3");
        Assert.Throws<ChatFormatException>(() =>
            gemma.Render([ChatMessage.User("a")], Options with { Tools = [new ToolDefinition("f", "d", null)] }));
        var ex = Assert.Throws<ChatFormatException>(() =>
            gemma.Render([ChatMessage.User("a"), ChatMessage.Assistant("b", toolCalls: [new ToolCall("f", "{}")])], Options));
        Assert.Equal(1, ex.MessageIndex);
    }

    [Theory]
    [InlineData("qwen3")]
    [InlineData("gemma3")]
    [InlineData("gpt-oss")]
    public void RejectsUnknownRolesAndMissingContent(string family)
    {
        var format = ChatFormats.For(family);
        var ex = Assert.Throws<ChatFormatException>(() => format.Render([ChatMessage.User("a"), new ChatMessage("robot", "b")], Options));
        Assert.Equal(1, ex.MessageIndex);
        Assert.Contains("'robot'", ex.Message);
        ex = Assert.Throws<ChatFormatException>(() => format.Render([new ChatMessage("user")], Options));
        Assert.Equal(0, ex.MessageIndex);
        Assert.Contains("no content", ex.Message);
    }

    [Theory]
    [InlineData("qwen3")]
    [InlineData("gpt-oss")]
    public void RejectsToolCallArgumentsThatAreNotJson(string family)
    {
        var messages = new[] { ChatMessage.User("a"), ChatMessage.Assistant(null, toolCalls: [new ToolCall("f", "{not json")]) };
        var ex = Assert.Throws<ChatFormatException>(() => ChatFormats.For(family).Render(messages, Options));
        Assert.Equal(1, ex.MessageIndex);
        Assert.Contains("'f'", ex.Message);
        Assert.Contains("not valid JSON", ex.Message);
    }

    [Fact]
    public void GptOssRejectsALateSystemMessage()
    {
        var ex = Assert.Throws<ChatFormatException>(() =>
            ChatFormats.For("gpt-oss").Render([ChatMessage.User("a"), ChatMessage.Assistant("b"), ChatMessage.System("c")], Options));
        Assert.Equal(2, ex.MessageIndex);
    }

    [Fact]
    public void UnknownFamilyListsTheKnownOnes()
    {
        var ex = Assert.Throws<ArgumentException>(() => ChatFormats.For("llama"));
        Assert.Contains("qwen3, gemma3, gpt-oss", ex.Message);
        Assert.Equal("gpt-oss", ChatFormats.For("GPT_OSS").Family);
        Assert.Equal("gemma3", ChatFormats.For("gemma-3").Family);
    }
}
