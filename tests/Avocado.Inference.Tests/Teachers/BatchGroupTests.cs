using Avocado.Teachers;
using Avocado.Text.Chat;

namespace Avocado.Inference.Tests.Teachers;

/// <summary>Requests sent together (<see cref="IBatchTeacher.GenerateTogether"/>) form batches of their own: batched
/// kernels round differently per batch shape, so a reproducible run must not share batches with whatever else is in
/// flight.</summary>
public sealed class BatchGroupTests
{
    // Two tokens, then the end of the turn: one prefill and two decode steps per request.
    static ScriptedModel Model() => new(TestTokenizers.Qwen3.VocabSize, [.. TestTokenizers.Qwen3.Encode("ok!<|im_end|>", parseSpecial: true).Select(i => (long)i)]);

    static TeacherRequest Ask(string text) => new() { Messages = [ChatMessage.User(text)], Sampling = new TeacherSampling { Temperature = 0 } };

    static InProcessTeacher Teacher(ScriptedModel model, int maxBatch) =>
        new(TestTokenizers.Qwen3, "qwen3", 4096, new InProcessTeacherOptions { Name = "scripted", Revision = "r", MaxBatch = maxBatch }, model);

    /// <summary>The user texts of the rows of each decode step, consecutive equal steps merged.</summary>
    static List<string[]> DecodeBatches(ScriptedModel model)
    {
        var batches = new List<string[]>();
        foreach (var (rows, prefill) in model.Passes)
        {
            if (prefill) continue;
            var users = rows.Select(Render).Order().ToArray();
            if (batches.Count == 0 || !batches[^1].SequenceEqual(users)) batches.Add(users);
        }
        return batches;
    }

    [Fact]
    public async Task A_group_never_shares_a_batch_with_waiting_single_requests_and_splits_in_order_at_MaxBatch()
    {
        var model = Model();
        model.Gate.Reset();
        using var teacher = Teacher(model, maxBatch: 4);
        var blocker = teacher.GenerateAsync(Ask("blocker"), default);
        await WaitUntil(() => model.Passes.Count == 1);       // the engine is inside the model: everything below waits

        var singles = Enumerable.Range(0, 3).Select(i => teacher.GenerateAsync(Ask($"single {i}"), default)).ToList();
        var group = teacher.GenerateTogether(Enumerable.Range(0, 6).Select(i => Ask($"grouped {i}")).ToList(), default);
        var late = teacher.GenerateAsync(Ask("late"), default);
        model.Gate.Set();
        await Task.WhenAll([blocker, late, .. singles, .. group]);

        Assert.All(group, g => Assert.Equal("ok!", g.Result.Content));
        Assert.Equal([
            ["blocker", "single 0", "single 1", "single 2"],
            ["grouped 0", "grouped 1", "grouped 2", "grouped 3"],
            ["grouped 4", "grouped 5"],
            ["late"],
        ], DecodeBatches(model));
        // The group's prompts are prefilled together, chunk by chunk, in order.
        var groupPrefills = model.Passes.Where(p => p.Prefill).Select(p => p.Rows.Select(Render).ToArray()).Where(r => r[0].StartsWith("grouped")).ToList();
        Assert.Equal([["grouped 0", "grouped 1", "grouped 2", "grouped 3"], ["grouped 4", "grouped 5"]], groupPrefills);
    }

    [Fact]
    public async Task An_invalid_request_in_a_group_fails_alone()
    {
        var model = Model();
        using var teacher = Teacher(model, maxBatch: 8);
        var tooLong = Ask("too long") with { Sampling = new TeacherSampling { Temperature = 0, MaxTokens = 5000 } };

        var tasks = teacher.GenerateTogether([Ask("fine 0"), tooLong, Ask("fine 1")], default);

        Assert.Equal("ok!", (await tasks[0]).Content);
        await Assert.ThrowsAsync<TeacherRequestException>(() => tasks[1]);
        Assert.Equal("ok!", (await tasks[2]).Content);
        Assert.Equal([["fine 0", "fine 1"]], DecodeBatches(model));
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
