using Avocado.Text.Chat;

namespace Avocado.Text.Tests.Chat;

public class ParseTests
{
    private static ParsedReply P(string family, string text) => ChatFormats.For(family).Parse(text);

    [Fact]
    public void QwenThinkingReply()
    {
        ReplyAssert.Same(new ParsedReply("Let me think.\nOK.", "The answer is 4.", []),
            P("qwen3", "<think>\nLet me think.\nOK.\n</think>\n\nThe answer is 4.<|im_end|>"));
    }

    [Fact]
    public void QwenNonThinkingReplyHasNoReasoning()
    {
        ReplyAssert.Same(new ParsedReply(null, "Four.", []), P("qwen3", "Four.<|im_end|>"));
        ReplyAssert.Same(new ParsedReply(null, "Four.", []), P("qwen3", "<think>\n\n</think>\n\nFour.<|im_end|>"));
    }

    [Fact]
    public void QwenToolCalls()
    {
        var r = P("qwen3", "<think>\nNeed tools.\n</think>\n\nChecking.\n<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\"}}\n</tool_call>\n" +
                           "<tool_call>\n{\"name\": \"get_time\", \"arguments\": \"{\\\"tz\\\": \\\"CET\\\"}\"}\n</tool_call><|im_end|>");
        ReplyAssert.Same(new ParsedReply("Need tools.", "Checking.", [new ToolCall("get_weather", "{\"city\": \"Paris\"}"), new ToolCall("get_time", "{\"tz\": \"CET\"}")]), r);
    }

    [Fact]
    public void QwenMalformedToolCallStaysText()
    {
        ReplyAssert.Same(new ParsedReply(null, "<tool_call>\n{broken\n</tool_call>", []), P("qwen3", "<tool_call>\n{broken\n</tool_call><|im_end|>"));
    }

    [Fact]
    public void QwenIgnoresTextAfterTheStopToken()
    {
        ReplyAssert.Same(new ParsedReply(null, "a", []), P("qwen3", "a<|im_end|>\n<|im_start|>user\nb"));
        ReplyAssert.Same(new ParsedReply(null, "a", []), P("qwen3", "a<|endoftext|>b"));
    }

    [Fact]
    public void GemmaReply()
    {
        ReplyAssert.Same(new ParsedReply(null, "Hello!", []), P("gemma3", "Hello!<end_of_turn>\n"));
        ReplyAssert.Same(new ParsedReply(null, "Hi", []), P("gemma3", "\nHi \n<eos>"));
        ReplyAssert.Same(new ParsedReply(null, "Unfinished", []), P("gemma3", "Unfinished"));
    }

    [Fact]
    public void HarmonyFinalReply()
    {
        ReplyAssert.Same(new ParsedReply("User greets.", "Hello! How can I help?", []),
            P("gpt-oss", "<|channel|>analysis<|message|>User greets.<|end|><|start|>assistant<|channel|>final<|message|>Hello! How can I help?<|return|>"));
    }

    [Fact]
    public void HarmonyToolCallInEitherHeaderOrder()
    {
        var expected = new ParsedReply("Need weather.", "", [new ToolCall("get_weather", "{\"location\":\"San Francisco\"}")]);
        ReplyAssert.Same(expected, P("gpt-oss",
            "<|channel|>analysis<|message|>Need weather.<|end|><|start|>assistant<|channel|>commentary to=functions.get_weather <|constrain|>json<|message|>{\"location\":\"San Francisco\"}<|call|>"));
        ReplyAssert.Same(expected, P("gpt-oss",
            "<|channel|>analysis<|message|>Need weather.<|end|><|start|>assistant to=functions.get_weather<|channel|>commentary json<|message|>{\"location\":\"San Francisco\"}<|call|>"));
    }

    [Fact]
    public void HarmonyPreambleIsContentAndBuiltinRecipientsKeepTheirNamespace()
    {
        var r = P("gpt-oss", "<|channel|>commentary<|message|>Let me look.<|end|><|start|>assistant<|channel|>analysis to=browser.search code<|message|>{\"query\": \"x\"}<|call|>");
        ReplyAssert.Same(new ParsedReply(null, "Let me look.", [new ToolCall("browser.search", "{\"query\": \"x\"}")]), r);
    }

    [Fact]
    public void HarmonyJoinsSeveralMessagesOfOnePart()
    {
        ReplyAssert.Same(new ParsedReply("A\n\nB", "C", []),
            P("gpt-oss", "<|channel|>analysis<|message|>A<|end|><|start|>assistant<|channel|>analysis<|message|>B<|end|><|start|>assistant<|channel|>final<|message|>C<|return|>"));
    }

    [Fact]
    public void HarmonyPlainTextIsTheAnswer()
    {
        ReplyAssert.Same(new ParsedReply(null, "Just text.", []), P("gpt-oss", "Just text."));
    }

    [Fact]
    public void StopTokens()
    {
        Assert.Equal(["<|im_end|>", "<|endoftext|>"], ChatFormats.For("qwen3").StopTokens);
        Assert.Equal(["<end_of_turn>", "<eos>"], ChatFormats.For("gemma3").StopTokens);
        Assert.Equal(["<|return|>", "<|call|>", "<|endoftext|>"], ChatFormats.For("gpt-oss").StopTokens);
    }
}
