using Avocado.Teachers;
using Avocado.Inference;
using Avocado.Models.Generation;
using Avocado.Text.Chat;
using Avocado.Text.Tokenizers;

namespace Avocado.Inference.Tests.Teachers;

/// <summary>The in-process teacher's reply building, with the model replaced by a script of tokens (<see cref="ScriptedModel"/>; the real tokenizers):
/// reasoning, answers and tool calls parsed per family, byte spans across split characters, stop tokens.</summary>
public sealed class ScriptedGenerationTests
{
    static InProcessTeacher Scripted(ITokenizer tokenizer, string family, string generated, InProcessTeacherOptions? options = null)
    {
        var ids = tokenizer.Encode(generated, parseSpecial: true).Select(i => (long)i).ToArray();
        return new InProcessTeacher(tokenizer, family, 4096, options ?? new InProcessTeacherOptions { Name = "scripted", Revision = "r" },
            new ScriptedModel(tokenizer.VocabSize, ids));
    }

    static readonly TeacherRequest Ask = new() { Messages = [ChatMessage.User("Count the llamas.")], TopLogprobs = 1 };

    [Fact]
    public async Task Qwen3_reasoning_and_answer_are_parsed_and_spans_survive_split_characters()
    {
        var tokenizer = TestTokenizers.Qwen3;
        const string generated = "<think>\nOne 🦙, then 𝔸𝔹 more.\n</think>\n\nThere are 3 🦙 — café.<|im_end|>";
        using var teacher = Scripted(tokenizer, "qwen3", generated);

        var reply = await teacher.GenerateAsync(Ask, default);

        Assert.Equal("One 🦙, then 𝔸𝔹 more.", reply.Reasoning);
        Assert.Equal("There are 3 🦙 — café.", reply.Content);
        Assert.Equal(TeacherFinishReason.Stop, reply.FinishReason);
        Assert.Equal(generated, reply.Text);
        var logprobs = reply.Logprobs!;
        Assert.Contains(logprobs, t => t.Token.Contains('\uFFFD'));               // the script splits characters
        Assert.Contains(logprobs, t => t.ByteLength == 0);                        // … and those tokens complete nothing
        Assert.Equal(generated, string.Concat(logprobs.Select(reply.SliceText)));
        Assert.Equal("<|im_end|>", reply.SliceText(logprobs[^1]));
        Assert.Equal("<think>", reply.SliceText(logprobs[0]));
        Assert.InRange(logprobs[1].Logprob, -1e-6f, 0f);                          // the script's token holds all but e^-30
        Assert.Equal(logprobs[0].Id, Assert.Single(logprobs[0].Top).Id);
    }

    [Fact]
    public async Task Qwen3_tool_calls_end_the_reply_with_finish_reason_tool_calls()
    {
        var tokenizer = TestTokenizers.Qwen3;
        using var teacher = Scripted(tokenizer, "qwen3",
            "<think>\nneed the tool\n</think>\n\n<tool_call>\n{\"name\": \"count\", \"arguments\": {\"animal\": \"llama\"}}\n</tool_call><|im_end|>");

        var reply = await teacher.GenerateAsync(Ask, default);

        var call = Assert.Single(reply.ToolCalls);
        Assert.Equal(("count", "{\"animal\": \"llama\"}"), (call.Name, call.ArgumentsJson));
        Assert.Equal(TeacherFinishReason.ToolCalls, reply.FinishReason);
        Assert.Equal("need the tool", reply.Reasoning);
    }

    [Fact]
    public async Task The_chat_format_follows_the_tokenizer_so_an_o200k_checkpoint_speaks_Harmony()
    {
        var tokenizer = TestTokenizers.O200kHarmony;
        // A Qwen3-architecture student with the gpt-oss tokenizer: its prompts and replies are Harmony.
        using var teacher = Scripted(tokenizer, "qwen3",
            "<|channel|>analysis<|message|>Two llamas 🦙🦙.<|end|><|start|>assistant<|channel|>final<|message|>2 — ¡sí!<|return|>",
            options: new InProcessTeacherOptions { Name = "student", Revision = "r", CurrentDate = new DateOnly(2025, 1, 2) });

        var reply = await teacher.GenerateAsync(Ask with { ReasoningEffort = ReasoningEffort.High }, default);

        Assert.Equal("gpt-oss", teacher.ChatFamily);
        Assert.Equal(("Two llamas 🦙🦙.", "2 — ¡sí!"), (reply.Reasoning, reply.Content));
        var prompt = teacher.RenderPrompt(Ask with { ReasoningEffort = ReasoningEffort.High });
        Assert.Contains("Reasoning: high", prompt);
        Assert.Contains("Current date: 2025-01-02", prompt);
        Assert.Equal(reply.Text, string.Concat(reply.Logprobs!.Select(reply.SliceText)));
    }

    [Fact]
    public void A_tokenizer_without_the_formats_stop_tokens_is_refused_at_load()
    {
        var tokenizer = TestTokenizers.Qwen3;
        var e = Assert.Throws<ArgumentException>(() => Scripted(tokenizer, "qwen3", "x",
            options: new InProcessTeacherOptions { Name = "n", Revision = "r", ChatFamily = "gemma3" }));
        Assert.Contains("<end_of_turn>", e.Message);
    }

    [Fact]
    public async Task Gemma3_replies_have_no_reasoning_and_the_gemma_license()
    {
        var tokenizer = TestTokenizers.Gemma3;
        using var teacher = Scripted(tokenizer, "gemma3", "Three llamas, señor.<end_of_turn>");

        var reply = await teacher.GenerateAsync(Ask, default);

        Assert.Null(reply.Reasoning);
        Assert.Equal("Three llamas, señor.", reply.Content);
        Assert.Equal("Gemma Terms of Use", reply.License);
        Assert.StartsWith("<bos><start_of_turn>user\n", teacher.RenderPrompt(Ask));
    }
}
