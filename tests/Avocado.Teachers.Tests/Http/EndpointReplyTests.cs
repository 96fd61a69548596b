using System.Text;
using Avocado.Teachers.Tests.Fakes;
using Avocado.Text.Chat;

namespace Avocado.Teachers.Tests.Http;

/// <summary>Reasoning in every format servers deliver it, and logprob byte spans, over real HTTP.</summary>
public sealed class EndpointReplyTests : IAsyncLifetime
{
    FakeOpenAiServer server = null!;

    public async Task InitializeAsync() => server = await FakeOpenAiServer.StartAsync();
    public async Task DisposeAsync() => await server.DisposeAsync();

    OpenAiTeacher Teacher(string family) => new(new OpenAiTeacherOptions
    {
        Name = "fake", Family = family, Endpoint = server.Endpoint, Model = "m", MaxAttempts = 1,
    });

    static TeacherRequest Ask(int? topLogprobs = null) => new() { Messages = [ChatMessage.User("2+2?")], TopLogprobs = topLogprobs };

    public static TheoryData<string, string, FakeResponse.Ok, string?, string> Formats => new()
    {
        { "reasoning_content field (vLLM, llama.cpp)", "qwen3", new("The answer is 4.") { Reasoning = "2+2=4" }, "2+2=4", "The answer is 4." },
        { "reasoning field (vLLM ≥ 0.10, Ollama)", "gpt-oss", new("The answer is 4.") { Reasoning = "2+2=4", ReasoningField = "reasoning" }, "2+2=4", "The answer is 4." },
        { "thinking field", "qwen3", new("The answer is 4.") { Reasoning = "2+2=4", ReasoningField = "thinking" }, "2+2=4", "The answer is 4." },
        { "inline <think> block", "qwen3", new("<think>\n2+2=4\n</think>\n\nThe answer is 4."), "2+2=4", "The answer is 4." },
        { "only </think> (opening tag in the prompt)", "qwen3", new("2+2=4\n</think>\n\nThe answer is 4."), "2+2=4", "The answer is 4." },
        { "Harmony channels", "gpt-oss", new("<|channel|>analysis<|message|>2+2=4<|end|><|start|>assistant<|channel|>final<|message|>The answer is 4.<|return|>"), "2+2=4", "The answer is 4." },
        { "Harmony with special tokens stripped", "gpt-oss", new("analysis2+2=4assistantfinalThe answer is 4."), "2+2=4", "The answer is 4." },
        { "no reasoning", "gemma3", new("The answer is 4."), null, "The answer is 4." },
        { "empty reasoning field", "qwen3", new("The answer is 4.") { Reasoning = "" }, null, "The answer is 4." },
    };

    [Theory]
    [MemberData(nameof(Formats))]
    public async Task Reasoning_is_separated_from_the_answer(string format, string family, FakeResponse.Ok response, string? reasoning, string content)
    {
        server.Respond = _ => response;
        using var teacher = Teacher(family);

        var reply = await teacher.GenerateAsync(Ask(), default);

        Assert.True((reasoning, content) == (reply.Reasoning, reply.Content), $"{format}: got reasoning '{reply.Reasoning}', content '{reply.Content}'");
        Assert.Equal(TeacherFinishReason.Stop, reply.FinishReason);
        Assert.Equal(11, reply.PromptTokens);
        Assert.Null(reply.Logprobs);
    }

    [Fact]
    public async Task Inline_tool_calls_are_parsed_when_the_server_returns_none()
    {
        server.Respond = _ => new FakeResponse.Ok("<tool_call>\n{\"name\": \"add\", \"arguments\": {\"a\": 2, \"b\": 2}}\n</tool_call>");
        using var teacher = Teacher("qwen3");

        var reply = await teacher.GenerateAsync(Ask(), default);

        var call = Assert.Single(reply.ToolCalls);
        Assert.Equal(("add", "{\"a\": 2, \"b\": 2}"), (call.Name, call.ArgumentsJson));
        Assert.Equal(TeacherFinishReason.ToolCalls, reply.FinishReason);
    }

    [Fact]
    public async Task Logprob_byte_spans_slice_the_reply_text_even_where_tokens_split_characters()
    {
        const string raw = "<think>\nI count 🦙s: é, 你好\n</think>\n\nAnswer: ü=4 👍🏽!";
        var bytes = Encoding.UTF8.GetBytes(raw);
        // Token sizes that cut through the 4-byte emoji, the 3-byte CJK and the 2-byte accents.
        int[] pattern = [3, 1, 2, 5, 1, 1, 4, 2, 7, 1];
        var tokens = new List<byte[]>();
        for (int at = 0, i = 0; at < bytes.Length; i++)
        {
            int n = Math.Min(pattern[i % pattern.Length], bytes.Length - at);
            tokens.Add(bytes[at..(at + n)]);
            at += n;
        }
        server.Respond = _ => new FakeResponse.Ok(raw) { Tokens = tokens };
        using var teacher = Teacher("qwen3");

        var reply = await teacher.GenerateAsync(Ask(topLogprobs: 2), default);

        Assert.Equal("I count 🦙s: é, 你好", reply.Reasoning);
        Assert.Equal("Answer: ü=4 👍🏽!", reply.Content);
        Assert.Equal(raw, reply.Text);
        var logprobs = reply.Logprobs!;
        Assert.Equal(tokens.Count, logprobs.Count);
        // Expected span: from the character boundary at or before the token's first byte to the one at or before its end.
        var boundaries = CharBoundaries(raw);
        int Floor(int x) => boundaries.Where(b => b <= x).Max();
        int start = 0, partial = 0;
        for (int i = 0; i < tokens.Count; i++)
        {
            int end = start + tokens[i].Length;
            Assert.Equal((Floor(start), Floor(end) - Floor(start)), (logprobs[i].ByteOffset, logprobs[i].ByteLength));
            if (Floor(end) != end) partial++;
            if (Floor(start) == start && Floor(end) == end) Assert.Equal(Encoding.UTF8.GetString(tokens[i]), reply.SliceText(logprobs[i]));
            Assert.Equal(2, logprobs[i].Top.Count);
            start = end;
        }
        Assert.True(partial >= 3, "the test must cut characters");
        Assert.Equal(raw, string.Concat(logprobs.Select(reply.SliceText)));
        Assert.Equal(-0.01f, logprobs[0].Logprob);
    }

    [Fact]
    public async Task Asking_for_logprobs_from_a_server_that_returns_none_is_an_error_not_silence()
    {
        server.Respond = _ => new FakeResponse.Ok("fine") { OmitLogprobs = true };
        using var teacher = Teacher("qwen3");

        var e = await Assert.ThrowsAsync<TeacherRequestException>(() => teacher.GenerateAsync(Ask(topLogprobs: 5), default));
        Assert.Contains("log-probabilities", e.Message);
    }

    static List<int> CharBoundaries(string s)
    {
        var list = new List<int> { 0 };
        int at = 0;
        foreach (var rune in s.EnumerateRunes())
        {
            at += rune.Utf8SequenceLength;
            list.Add(at);
        }
        return list;
    }
}
