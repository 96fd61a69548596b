using Avocado.Teachers;
using Avocado.Inference;
using System.Text;
using Avocado.Text.Chat;

namespace Avocado.Inference.Tests.Teachers;

/// <summary>The in-process teacher on a real (tiny, random) checkpoint with the real Qwen3 tokenizer.</summary>
[Collection(TinyQwen3Collection.Name)]
public sealed class InProcessTeacherTests(TinyQwen3Checkpoint checkpoint)
{
    static TeacherRequest Ask(string prompt, double temperature = 1.0, int maxTokens = 40, int sampleIndex = 0, int? topLogprobs = 4) => new()
    {
        Messages = [ChatMessage.System("You are terse."), ChatMessage.User(prompt)],
        Sampling = new TeacherSampling { Temperature = temperature, MaxTokens = maxTokens, Seed = 7 },
        SampleIndex = sampleIndex,
        TopLogprobs = topLogprobs,
    };

    [Fact]
    public void Loading_names_the_teacher_and_derives_family_license_revision_and_chat_format()
    {
        using var teacher = InProcessTeacher.Load(checkpoint.Dir);

        Assert.Equal((Path.GetFileName(checkpoint.Dir), "qwen3", "Apache-2.0", "qwen3"), (teacher.Name, teacher.Family, teacher.License, teacher.ChatFamily));
        Assert.StartsWith("sha256:", teacher.Revision);
        Assert.Equal(CheckpointFingerprint.Compute(checkpoint.Dir), teacher.Revision);
    }

    [Fact]
    public async Task Replies_are_parsed_and_logprob_byte_spans_slice_the_reply_text()
    {
        using var teacher = checkpoint.Teacher();
        var request = Ask("Name three fruits, with accents: café, 苹果 🍎.", maxTokens: 32);

        var reply = await teacher.GenerateAsync(request, default);

        var logprobs = reply.Logprobs!;
        Assert.Equal(32, logprobs.Count);
        Assert.Equal(TeacherFinishReason.Length, reply.FinishReason);
        Assert.Equal(logprobs.Count, reply.CompletionTokens);
        var ids = logprobs.Select(t => t.Id!.Value).ToArray();
        Assert.Equal(teacher.Tokenizer.Decode(ids), reply.Text);

        // Parsed with the family's parser.
        var parsed = ChatFormats.For("qwen3").Parse(reply.Text);
        Assert.Equal(parsed.Content, reply.Content);
        Assert.Equal(string.IsNullOrEmpty(parsed.Reasoning) ? null : parsed.Reasoning, reply.Reasoning);

        // Spans are contiguous, cover the text, and hold each token's own text when it is whole characters.
        int expected = 0;
        bool previousWhole = true;
        foreach (var t in logprobs)
        {
            Assert.Equal(expected, t.ByteOffset);
            expected += t.ByteLength;
            bool whole = !t.Token.Contains('\uFFFD');
            if (whole && previousWhole) Assert.Equal(t.Token, reply.SliceText(t));
            previousWhole = whole;
            Assert.Equal(teacher.Tokenizer.Decode([t.Id!.Value]), t.Token);

            Assert.Equal(4, t.Top.Count);
            Assert.True(t.Top.Zip(t.Top.Skip(1)).All(p => p.First.Logprob >= p.Second.Logprob), "top alternatives are sorted");
            Assert.True(t.Logprob <= t.Top[0].Logprob + 1e-5f && t.Logprob <= 0);
            Assert.Equal(teacher.Tokenizer.Decode([t.Top[0].Id!.Value]), t.Top[0].Token);
        }
        Assert.Equal(Encoding.UTF8.GetByteCount(reply.Text), expected);
        Assert.Equal(reply.Text, string.Concat(logprobs.Select(reply.SliceText)));

        var prompt = teacher.RenderPrompt(request);
        Assert.StartsWith("<|im_start|>system\nYou are terse.<|im_end|>\n", prompt);
        Assert.EndsWith("<|im_start|>assistant\n", prompt);
        Assert.Equal(TeacherPrompt.Sha256Hex(prompt), reply.PromptHash);
        Assert.Equal(teacher.Tokenizer.Encode(prompt).Count, reply.PromptTokens);
        Assert.Equal(("test", "Apache-2.0"), (reply.Revision, reply.License));
    }

    [Fact]
    public async Task A_seeded_request_repeats_and_the_sample_index_draws_another_sample()
    {
        using var teacher = checkpoint.Teacher();

        var a = await teacher.GenerateAsync(Ask("Pick a number.", maxTokens: 12), default);
        var again = await teacher.GenerateAsync(Ask("Pick a number.", maxTokens: 12), default);
        var other = await teacher.GenerateAsync(Ask("Pick a number.", maxTokens: 12, sampleIndex: 1), default);

        Assert.Equal(a.Text, again.Text);
        Assert.NotEqual(a.Text, other.Text);
        Assert.NotNull(a.Logprobs);
        Assert.Null((await teacher.GenerateAsync(Ask("Pick a number.", maxTokens: 12, topLogprobs: null), default)).Logprobs);
    }

    [Fact]
    public async Task Requests_sent_together_are_batched_and_each_reply_is_what_it_would_be_alone()
    {
        var requests = new[]
        {
            Ask("greedy one", temperature: 0, maxTokens: 4),
            Ask("greedy number two, longer", temperature: 0, maxTokens: 6),
            Ask("greedy three", temperature: 0, maxTokens: 8, topLogprobs: 2),
            Ask("sampled", maxTokens: 6, sampleIndex: 0),
            Ask("sampled", maxTokens: 6, sampleIndex: 1),
            Ask("sampled", maxTokens: 6, sampleIndex: 2),
        };
        using var batched = checkpoint.Teacher();
        using var alone = checkpoint.Teacher(new InProcessTeacherOptions { MaxBatch = 1 });

        var together = await Task.WhenAll(batched.GenerateTogether(requests, default));
        var solo = new List<TeacherReply>();
        foreach (var r in requests) solo.Add(await alone.GenerateAsync(r, default));

        Assert.Equal(requests.Sum(r => r.Sampling.MaxTokens), alone.ForwardPasses);      // a prefill, then a step per token
        Assert.True(batched.ForwardPasses <= requests.Length + 7, $"6 requests together took {batched.ForwardPasses} forward passes");
        for (int i = 0; i < requests.Length; i++)
        {
            Assert.Equal(solo[i].Text, together[i].Text);
            Assert.Equal(solo[i].FinishReason, together[i].FinishReason);
            Assert.Equal(requests[i].Sampling.MaxTokens, together[i].CompletionTokens);
            Assert.Equal(solo[i].Logprobs!.Select(t => (t.Id, t.Top.Count)), together[i].Logprobs!.Select(t => (t.Id, t.Top.Count)));
        }
    }

    [Fact]
    public async Task Requests_that_cannot_fit_or_render_are_rejected_with_a_reason()
    {
        using var teacher = checkpoint.Teacher();

        var tooLong = await Assert.ThrowsAsync<TeacherRequestException>(() => teacher.GenerateAsync(Ask("hi", maxTokens: 600), default));
        Assert.Contains("512-token context", tooLong.Message);
        var noUser = new TeacherRequest { Messages = [ChatMessage.Assistant("x") with { Role = "narrator" }] };
        await Assert.ThrowsAsync<TeacherRequestException>(() => teacher.GenerateAsync(noUser, default));
        await Assert.ThrowsAsync<ArgumentException>(() => teacher.GenerateAsync(new TeacherRequest { Messages = [] }, default));
    }
}
