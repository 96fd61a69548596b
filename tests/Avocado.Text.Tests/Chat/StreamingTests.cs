using Avocado.Text.Chat;

namespace Avocado.Text.Tests.Chat;

public class StreamingTests
{
    /// <summary>Feeds the text one character at a time and in 40 random chunkings; every time the parts must equal Parse's.</summary>
    internal static void AssertStreamingMatchesParse(IChatFormat format, string text)
    {
        var expected = format.Parse(text);
        var rng = new Random(12345);
        for (int round = 0; round < 42; round++)
        {
            var parser = format.CreateStreamingParser();
            var deltas = new List<ReplyDelta>();
            int pos = 0;
            while (pos < text.Length)
            {
                int size = round == 0 ? 1 : round == 1 ? text.Length : rng.Next(1, 9);
                size = Math.Min(size, text.Length - pos);
                deltas.AddRange(parser.Push(text.Substring(pos, size)));
                pos += size;
            }
            deltas.AddRange(parser.Finish());
            Assert.All(deltas, d => Assert.True(d.Part == ReplyPart.ToolCall || d.Text.Length > 0, "empty text delta"));
            ReplyAssert.Same(expected, StreamingReplyParser.Collect(deltas), $"{format.Family} round {round} of {text}:");
        }
    }

    public static TheoryData<string, string> RawReplies() => new()
    {
        { "qwen3", "<think>\nLet me think.\n</think>\n\nThe answer is 4.<|im_end|>" },
        { "qwen3", "The answer is 4.<|im_end|>" },
        { "qwen3", "<think>\n\n</think>\n\nNo thinking.<|im_end|>\n" },
        { "qwen3", "<think>\nx\n</think>\n\n<tool_call>\n{\"name\": \"a\", \"arguments\": {\"k\": \"<tool_call>\"}}\n</tool_call>\n<tool_call>\n{\"name\": \"b\", \"arguments\": {}}\n</tool_call><|im_end|>" },
        { "qwen3", "Answer <tool_call>\nnot json\n</tool_call> after<|im_end|>" },
        { "qwen3", "<think>\ntruncated reasoning" },
        { "qwen3", "<thi" },
        { "qwen3", "text <|im_en" },
        { "gemma3", "Hello there!<end_of_turn>\n<start_of_turn>user\nignored" },
        { "gemma3", "  Spaced  <eos>" },
        { "gemma3", "no stop <end_of" },
        { "gpt-oss", "<|channel|>analysis<|message|>Think.<|end|><|start|>assistant<|channel|>final<|message|>Answer.<|return|>" },
        { "gpt-oss", "<|channel|>analysis<|message|>Think.<|end|><|start|>assistant<|channel|>commentary to=functions.get_weather <|constrain|>json<|message|>{\"location\":\"SF\"}<|call|>" },
        { "gpt-oss", " to=functions.get_weather<|channel|>commentary json<|message|>{\"a\": 1}<|call|>" },
        { "gpt-oss", "<|channel|>analysis<|message|>A<|end|><|start|>assistant<|channel|>analysis<|message|>B<|end|><|start|>assistant<|channel|>final<|message|>C<|end|>" },
        { "gpt-oss", "<|channel|>final<|message|>Truncated answ" },
        { "gpt-oss", "Plain text without Harmony tokens." },
        { "gpt-oss", "<|channel|>final<|message|>x<|return|><|start|>assistant<|channel|>final<|message|>ignored" },
    };

    [Theory]
    [MemberData(nameof(RawReplies))]
    public void StreamingMatchesParseOnRawReplies(string family, string text) =>
        AssertStreamingMatchesParse(ChatFormats.For(family), text);

    [Fact]
    public void QwenStreamsReasoningBeforeTheReplyEnds()
    {
        var parser = ChatFormats.For("qwen3").CreateStreamingParser();
        Assert.Empty(parser.Push("<thi"));
        var d = parser.Push("nk>\nStep one");
        Assert.Equal([new ReplyDelta(ReplyPart.Reasoning, "Step one")], d);
        // The trailing newline and the marker's beginning are held back.
        Assert.Equal([new ReplyDelta(ReplyPart.Reasoning, ".")], parser.Push(".\n</thi"));
        d = parser.Push("nk>\n\nHi");
        Assert.Equal([new ReplyDelta(ReplyPart.Content, "Hi")], d);
        d = parser.Push("<tool_call>\n{\"name\": \"f\", \"arguments\": {\"x\": 1}}\n</tool_");
        Assert.Empty(d);
        d = parser.Push("call><|im_end|>more");
        var call = Assert.Single(d);
        Assert.Equal(ReplyPart.ToolCall, call.Part);
        Assert.Equal(new ToolCall("f", "{\"x\": 1}"), call.ToolCall);
        Assert.True(parser.IsDone);
        Assert.Empty(parser.Push("ignored"));
        Assert.Empty(parser.Finish());
    }

    [Fact]
    public void HarmonyStreamsChannelsAsTheyArrive()
    {
        var parser = ChatFormats.For("gpt-oss").CreateStreamingParser();
        Assert.Empty(parser.Push("<|channel|>analysis<|mess"));
        Assert.Equal([new ReplyDelta(ReplyPart.Reasoning, "Think")], parser.Push("age|>Think<|en"));
        Assert.Empty(parser.Push("d|><|start|>assistant<|channel|>final<|message|>"));
        Assert.Equal([new ReplyDelta(ReplyPart.Content, "Ans")], parser.Push("Ans"));
        Assert.Equal([new ReplyDelta(ReplyPart.Content, "wer")], parser.Push("wer<|return|>"));
        Assert.True(parser.IsDone);
        Assert.Empty(parser.Finish());
    }

    [Fact]
    public void PushAfterFinishThrows()
    {
        var parser = ChatFormats.For("gemma3").CreateStreamingParser();
        parser.Finish();
        Assert.Throws<InvalidOperationException>(() => parser.Push("x"));
        Assert.Throws<InvalidOperationException>(() => parser.Finish());
    }
}
