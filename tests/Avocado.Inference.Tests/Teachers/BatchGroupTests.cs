using Avocado.Teachers;
using Avocado.Inference;
using System.Collections.Concurrent;
using Avocado.Models.Generation;
using Avocado.Text.Chat;

namespace Avocado.Inference.Tests.Teachers;

/// <summary>Requests sent together (<see cref="IBatchTeacher.GenerateTogether"/>) form batches of their own: batched
/// kernels round differently per batch shape, so a reproducible run must not share batches with whatever else is in
/// flight.</summary>
public sealed class BatchGroupTests
{
    sealed class RecordingModel
    {
        public readonly ConcurrentQueue<long[][]> Batches = new();
        public readonly ManualResetEventSlim Gate = new(false);

        public IReadOnlyList<GeneratedSequence> Generate(GenerationRequest r)
        {
            Batches.Enqueue(r.Prompts.ToArray());
            Gate.Wait(TimeSpan.FromSeconds(30));
            return r.Prompts.Select(_ => new GeneratedSequence([new GeneratedToken(TestTokenizers.Qwen3.EosIds[0], -0.5f, [])], FinishReason.Stop)).ToArray();
        }
    }

    // Greedy: greedy requests batch whatever their seeds (sampled ones only with consecutive seeds).
    static TeacherRequest Ask(string text) => new() { Messages = [ChatMessage.User(text)], Sampling = new TeacherSampling { Temperature = 0 } };

    static InProcessTeacher Teacher(RecordingModel model, int maxBatch) =>
        new(TestTokenizers.Qwen3, "qwen3", 4096, new InProcessTeacherOptions { Name = "recorded", Revision = "r", MaxBatch = maxBatch, BatchWindow = TimeSpan.Zero },
            model.Generate);

    [Fact]
    public async Task A_group_never_shares_a_batch_with_waiting_single_requests_and_splits_in_order_at_MaxBatch()
    {
        var model = new RecordingModel();
        using var teacher = Teacher(model, maxBatch: 4);
        var blocker = teacher.GenerateAsync(Ask("blocker"), default);
        await WaitUntil(() => model.Batches.Count == 1);       // the worker is inside the model: everything below waits

        var singles = Enumerable.Range(0, 3).Select(i => teacher.GenerateAsync(Ask($"single {i}"), default)).ToList();
        var group = teacher.GenerateTogether(Enumerable.Range(0, 6).Select(i => Ask($"grouped {i}")).ToList(), default);
        model.Gate.Set();
        await Task.WhenAll([blocker, .. singles, .. group]);

        var batches = model.Batches.Skip(1).Select(b => b.Select(Render).ToArray()).ToList();
        Assert.Equal(3, batches.Count);
        Assert.Equal(["single 0", "single 1", "single 2"], batches[0].Order());
        Assert.Equal(["grouped 0", "grouped 1", "grouped 2", "grouped 3"], batches[1]);
        Assert.Equal(["grouped 4", "grouped 5"], batches[2]);
    }

    [Fact]
    public async Task An_invalid_request_in_a_group_fails_alone()
    {
        var model = new RecordingModel();
        model.Gate.Set();
        using var teacher = Teacher(model, maxBatch: 8);
        var tooLong = Ask("too long") with { Sampling = new TeacherSampling { Temperature = 0, MaxTokens = 5000 } };

        var tasks = teacher.GenerateTogether([Ask("fine 0"), tooLong, Ask("fine 1")], default);

        Assert.Equal("", (await tasks[0]).Content);
        await Assert.ThrowsAsync<TeacherRequestException>(() => tasks[1]);
        Assert.Equal("", (await tasks[2]).Content);
        var only = Assert.Single(model.Batches);
        Assert.Equal(["fine 0", "fine 1"], only.Select(Render));
    }

    /// <summary>The user text inside a rendered Qwen3 prompt.</summary>
    static string Render(long[] ids)
    {
        var text = TestTokenizers.Qwen3.Decode(ids.Select(i => (int)i).ToArray());
        int start = text.IndexOf("<|im_start|>user\n", StringComparison.Ordinal) + "<|im_start|>user\n".Length;
        return text[start..text.IndexOf("<|im_end|>", start, StringComparison.Ordinal)];
    }

    static async Task WaitUntil(Func<bool> condition)
    {
        for (int i = 0; i < 3000 && !condition(); i++) await Task.Delay(10);
        Assert.True(condition());
    }
}
