using Avocado.Text.Chat;
using Avocado.Text.Tokenizers;

namespace Avocado.Text.Tests.Chat;

/// <summary>The rendered formats against the real tokenizers: markers are single special tokens; generated ids parse.</summary>
public class ChatTokenizationTests
{
    [Theory]
    [InlineData("qwen3", "qwen3", new[] { "<|im_start|>", "<|im_end|>", "<think>", "</think>", "<tool_call>", "</tool_call>", "<tool_response>" })]
    [InlineData("gemma3", "gemma3", new[] { "<bos>", "<start_of_turn>", "<end_of_turn>" })]
    [InlineData("gpt-oss", "o200k_harmony", new[] { "<|start|>", "<|message|>", "<|channel|>", "<|end|>", "<|call|>", "<|return|>" })]
    public void MarkersAreSingleTokensAndRepliesParseFromIds(string family, string tokenizerName, string[] markers)
    {
        var tokenizer = BuiltInTokenizers.Load(tokenizerName);
        var format = ChatFormats.For(family);
        foreach (var marker in markers)
        {
            var id = tokenizer.TokenToId(marker);
            Assert.True(id is not null, $"{tokenizerName} has no token {marker}");
            Assert.Equal([id!.Value], tokenizer.Encode(marker));
        }
        Assert.Equal(format.StopTokens.Count(t => tokenizer.TokenToId(t) is not null), format.StopTokenIds(tokenizer).Count);
        Assert.NotEmpty(format.StopTokenIds(tokenizer));

        var last = family switch
        {
            "gemma3" => ChatMessage.Assistant("Paris."),
            _ => ChatMessage.Assistant(null, reasoning: "Use the tool.", toolCalls: [new ToolCall("get_weather", "{\"location\": \"Paris\"}")]),
        };
        string reply = RoundTripTests.RenderedReply(format, last);
        var ids = tokenizer.Encode(reply);
        Assert.Equal(reply, tokenizer.Decode(ids));
        var parsed = format.ParseIds(tokenizer, ids);
        ReplyAssert.Same(new ParsedReply(family == "gemma3" ? null : last.Reasoning, last.Content ?? "", last.ToolCalls ?? []), parsed, family);

        var prompt = format.RenderIds(tokenizer, [ChatMessage.User("Hi")], new ChatOptions { CurrentDate = new DateOnly(2025, 8, 5) });
        if (family == "gemma3") Assert.Equal(tokenizer.TokenToId("<bos>"), prompt[0]);
        Assert.Equal(format.Render([ChatMessage.User("Hi")], new ChatOptions { CurrentDate = new DateOnly(2025, 8, 5) }), tokenizer.Decode(prompt));
    }
}
