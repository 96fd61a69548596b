using System.Collections.Concurrent;
using System.Text.Json;
using Avocado.Eval;
using Avocado.Data.Prompts;
using Avocado.Data.Verification;
using Avocado.Teachers;

namespace Avocado.Eval.Tests;

public class EvalRunnerTests
{
    static async Task<EvalReport> Run(string dir, EvalOptions options, params ScriptedTeacher[] teachers) =>
        await EvalRunner.RunAsync(teachers.Select(ScriptedTeacher.Model).ToList(), PromptReader.ReadFile(Bench.WriteJsonl(dir)), options);

    [Fact]
    public async Task Scores_every_model_per_skill_and_over_all_prompts()
    {
        using var dir = new TempDir();
        var report = await Run(dir.Path, new EvalOptions { Samples = 3, PassK = 2 }, Bench.Oracle(), Bench.Mixed());

        Assert.Equal(["oracle", "mixed"], report.Models);
        Assert.Equal(["math", "trivia", "all"], report.Skills);
        Assert.Equal((6, 3, 2), (report.Prompts, report.Samples, report.PassK));
        Assert.Equal(6 * 3 * 2, report.Answers.Count);

        foreach (var skill in report.Skills)
        {
            var oracle = report.Row("oracle", skill);
            Assert.Equal((1.0, 1.0, 11.0), (oracle.Accuracy, oracle.PassAtK, oracle.MeanCompletionTokens)); // tokens 10, 11, 12
            Assert.Equal(0, oracle.NoAnswer);
        }
        // mixed, correct samples of 3: math m1 3, m2 1, m3 0 (no answer at all), m4 2; trivia t1 0, t2 3.
        var math = report.Row("mixed", "math");
        Assert.Equal((4, 12, 6, 3), (math.Prompts, math.Answers, math.Correct, math.NoAnswer));
        Assert.Equal(0.5, math.Accuracy, 12);
        // pass@2 per prompt: c=3 → 1; c=1 → 1 − C(2,2)/C(3,2) = 2/3; c=0 → 0; c=2 → 1.
        Assert.Equal((1 + 2.0 / 3 + 0 + 1) / 4, math.PassAtK, 12);
        Assert.Equal(21.0, math.MeanCompletionTokens, 12);
        var trivia = report.Row("mixed", "trivia");
        Assert.Equal((2, 6, 3, 0), (trivia.Prompts, trivia.Answers, trivia.Correct, trivia.NoAnswer));
        Assert.Equal((0.5, 0.5), (trivia.Accuracy, trivia.PassAtK));
        var all = report.Row("mixed", "all");
        Assert.Equal((6, 18, 9, 3), (all.Prompts, all.Answers, all.Correct, all.NoAnswer));
        Assert.Equal(0.5, all.Accuracy, 12);
        Assert.Equal((1 + 2.0 / 3 + 0 + 1 + 0 + 1) / 6, all.PassAtK, 12);

        // Latencies are 100·(s+1) ms (oracle) and 200·(s+1) ms (mixed): nearest-rank p50 is the middle sample's, p95 the last's.
        Assert.Equal((200.0, 300.0), (report.Row("oracle", "math").LatencyP50Ms, report.Row("oracle", "math").LatencyP95Ms));
        Assert.Equal((400.0, 600.0), (all.LatencyP50Ms, all.LatencyP95Ms));
    }

    [Fact]
    public async Task Pass_at_k_defaults_to_any_sample_correct()
    {
        using var dir = new TempDir();
        var report = await Run(dir.Path, new EvalOptions { Samples = 3 }, Bench.Mixed());
        Assert.Equal(3, report.PassK);
        Assert.Equal(3.0 / 4, report.Row("mixed", "math").PassAtK, 12);  // m3 has no correct sample
        Assert.Equal(1.0 / 2, report.Row("mixed", "trivia").PassAtK, 12);
        Assert.Equal(4.0 / 6, report.Row("mixed", "all").PassAtK, 12);
    }

    [Fact]
    public async Task One_sample_is_greedy_several_are_sampled_with_one_seed_per_sample_index()
    {
        using var dir = new TempDir();
        var greedy = Bench.Oracle();
        await Run(dir.Path, new EvalOptions { Samples = 1, MaxTokens = 77 }, greedy);
        Assert.Equal(6, greedy.Requests.Count);
        Assert.All(greedy.Requests, r => Assert.Equal((0.0, 77, 0L, 0), (r.Sampling.Temperature, r.Sampling.MaxTokens, r.EffectiveSeed!.Value, r.SampleIndex)));

        var sampled = Bench.Oracle();
        await Run(dir.Path, new EvalOptions { Samples = 3, Seed = 40 }, sampled);
        Assert.Equal(18, sampled.Requests.Count);
        Assert.All(sampled.Requests, r => Assert.Equal(EvalOptions.DefaultSampledTemperature, r.Sampling.Temperature));
        foreach (var perPrompt in sampled.Requests.GroupBy(r => r.Messages[^1].Content))
            Assert.Equal([40L, 41L, 42L], perPrompt.Select(r => r.EffectiveSeed!.Value).Order());

        var hot = Bench.Oracle();
        await Run(dir.Path, new EvalOptions { Samples = 2, Temperature = 1.3, EnableThinking = false }, hot);
        Assert.All(hot.Requests, r => Assert.Equal((1.3, false), (r.Sampling.Temperature, r.EnableThinking)));
    }

    [Fact]
    public async Task The_report_does_not_depend_on_concurrency_or_completion_order()
    {
        using var dir = new TempDir();
        string Json(EvalReport r) => JsonSerializer.Serialize(r, EvalReportWriter.Json) + JsonSerializer.Serialize(r.Answers, EvalReportWriter.Json);
        var serial = await Run(dir.Path, new EvalOptions { Samples = 3, Concurrency = 1 }, Bench.Oracle(), Bench.Mixed());
        var parallel = await Run(dir.Path, new EvalOptions { Samples = 3, Concurrency = 16 }, Bench.Oracle(), Bench.Mixed());
        Assert.Equal(Json(serial), Json(parallel));
        // Answers are in job order: prompt, then model, then sample.
        Assert.Equal(("m1", "oracle", 0), (serial.Answers[0].PromptId, serial.Answers[0].Model, serial.Answers[0].Sample));
        Assert.Equal(("m1", "mixed", 2), (serial.Answers[5].PromptId, serial.Answers[5].Model, serial.Answers[5].Sample));
        Assert.Equal("t2", serial.Answers[^1].PromptId);
    }

    /// <summary>A scripted teacher that batches: records each chunk the runner sends together.</summary>
    sealed class BatchingTeacher(ScriptedTeacher inner, int maxBatch) : IBatchTeacher
    {
        public ConcurrentQueue<string[]> Chunks { get; } = new();
        public string Name => inner.Name;
        public string Family => inner.Family;
        public string Revision => inner.Revision;
        public string License => inner.License;
        public int MaxBatch => maxBatch;
        public Task<TeacherReply> GenerateAsync(TeacherRequest request, CancellationToken ct) => throw new InvalidOperationException("asked alone");

        public IReadOnlyList<Task<TeacherReply>> GenerateTogether(IReadOnlyList<TeacherRequest> requests, CancellationToken ct)
        {
            Chunks.Enqueue([.. requests.Select(r => $"{r.Messages[^1].Content}#{r.SampleIndex}")]);
            return [.. requests.Select(r => inner.GenerateAsync(r, ct))];
        }
    }

    [Fact]
    public async Task A_batching_model_gets_fixed_chunks_in_job_order_whatever_the_concurrency()
    {
        using var dir = new TempDir();
        foreach (var concurrency in new[] { 1, 16 })
        {
            var batching = new BatchingTeacher(Bench.Mixed(), maxBatch: 4);
            var models = new List<EvalModel> { ScriptedTeacher.Model(Bench.Oracle()), new(batching.Name, batching) };
            var report = await EvalRunner.RunAsync(models, PromptReader.ReadFile(Bench.WriteJsonl(dir.Path)), new EvalOptions { Samples = 3, Concurrency = concurrency });

            // 6 prompts × 3 samples = 18 jobs of the batching model, in job order (prompt, then sample), 4 at a time.
            var chunks = batching.Chunks.OrderBy(c => Array.IndexOf(Bench.Items.Select(i => i.Question).ToArray(), c[0].Split('#')[0]) * 10
                                                        + int.Parse(c[0].Split('#')[1])).ToList();
            Assert.Equal([4, 4, 4, 4, 2], chunks.Select(c => c.Length));
            Assert.Equal(["What is 2+3?#0", "What is 2+3?#1", "What is 2+3?#2", "What is 10-4?#0"], chunks[0]);
            Assert.Equal(9.0 / 18, report.Row("mixed", "all").Accuracy, 12);  // 3+1+0+2+0+3 correct of 18
            Assert.Equal(1.0, report.Row("oracle", "all").Accuracy);
        }
    }

    [Fact]
    public async Task Prints_progress_with_rate_and_eta()
    {
        using var dir = new TempDir();
        var progress = new StringWriter();
        await Run(dir.Path, new EvalOptions { Samples = 2, Progress = progress, ProgressInterval = TimeSpan.Zero, Concurrency = 1 }, Bench.Oracle(), Bench.Mixed());
        var lines = progress.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(24, lines.Length);
        Assert.StartsWith("[eval] 1/24 (4%) |", lines[0]);
        Assert.Contains("answers/s", lines[0]);
        Assert.Contains("ETA", lines[0]);
        Assert.StartsWith("[eval] 24/24 (100%)", lines[^1]);
        Assert.DoesNotContain("ETA", lines[^1]);
        Assert.Contains("oracle 100.0%", lines[^1]);
        Assert.Contains("mixed 58.3%", lines[^1]); // 7 of 12: m1 2, m2 1, m3 0, m4 2, t1 0, t2 2 (samples 0 and 1 of the script)
    }

    [Fact]
    public async Task A_failed_request_is_recorded_counted_wrong_and_the_run_goes_on()
    {
        using var dir = new TempDir();
        var report = await Run(dir.Path, new EvalOptions { Samples = 2 }, Bench.Mixed(), Bench.Oracle(failOn: "spider"));

        // Every other request was answered; the two samples of t1 to the oracle failed and count as wrong.
        var failed = report.FailedAnswers.ToList();
        Assert.Equal(2, failed.Count);
        Assert.All(failed, a => Assert.Equal(("oracle", "t1", Verdict.NoAnswer, "error"), (a.Model, a.PromptId, a.Verdict, a.FinishReason)));
        Assert.Contains("model 'oracle' failed on bench prompt 't1'", failed[0].Error);
        Assert.Contains("connection refused", failed[0].Error);
        var trivia = report.Row("oracle", "trivia");
        Assert.Equal((4, 2, 2, 0), (trivia.Answers, trivia.Correct, trivia.Failed, trivia.NoAnswer));
        Assert.Equal(0.5, trivia.Accuracy, 12);
        Assert.Equal(10.5, trivia.MeanCompletionTokens, 12); // t2's two answers (10 and 11 tokens); failures have none
        Assert.Equal(1.0, report.Row("oracle", "math").Accuracy);
        Assert.Equal(0, report.Row("mixed", "all").Failed);

        var markdown = EvalMarkdown.Format(report);
        Assert.Contains("**2 of 24 requests failed**", markdown);
        Assert.Contains("- oracle: 2 failed; first: model 'oracle' failed on bench prompt 't1'", markdown);
    }

    [Fact]
    public async Task Rejects_prompts_without_reference_duplicate_names_and_bad_options()
    {
        using var dir = new TempDir();
        var bare = Path.Combine(dir.Path, "bare.jsonl");
        File.WriteAllLines(bare, ["""{"id": "q1", "prompt": "Say hi", "skill": "chat"}"""]);
        var models = new List<EvalModel> { ScriptedTeacher.Model(Bench.Oracle()) };
        var e = await Assert.ThrowsAsync<EvalException>(() => EvalRunner.RunAsync(models, PromptReader.ReadFile(bare)));
        Assert.Contains("bench prompt 'q1'", e.Message);
        Assert.Contains("no reference answer", e.Message);

        var prompts = PromptReader.ReadFile(Bench.WriteJsonl(dir.Path));
        e = await Assert.ThrowsAsync<EvalException>(() => EvalRunner.RunAsync([.. models, .. models], prompts));
        Assert.Contains("model name 'oracle' is given twice", e.Message);

        var bad = await Assert.ThrowsAsync<ArgumentException>(() => EvalRunner.RunAsync(models, prompts, new EvalOptions { Samples = 2, PassK = 3 }));
        Assert.Contains("1 ≤ k ≤ samples (2)", bad.Message);
    }

    [Fact]
    public async Task Reads_gsm8k_and_math_benches()
    {
        using var dir = new TempDir();
        var gsm = Path.Combine(dir.Path, "gsm8k.jsonl");
        File.WriteAllLines(gsm,
        [
            """{"question": "Tom has 3 apples and buys 4 more. How many apples does he have?", "answer": "3 + 4 = 7\n#### 7"}""",
            """{"question": "A box holds 6 eggs. How many eggs are in 7 boxes?", "answer": "6 * 7 = 42\n#### 42"}""",
        ]);
        var math = Path.Combine(dir.Path, "math.jsonl");
        File.WriteAllLines(math,
        [
            """{"problem": "What is $\\frac{1}{2} + \\frac{1}{4}$?", "solution": "Add: $\\boxed{\\frac{3}{4}}$.", "level": "Level 1", "type": "Prealgebra"}""",
            """{"problem": "Compute $2^{10}$.", "answer": "1024", "unique_id": "test/algebra/1.json"}""",
        ]);
        var prompts = PromptReader.ReadFiles([gsm, math]);
        var right = new Dictionary<string, string>
        {
            [prompts[0].Messages[^1].Content!] = "7", [prompts[1].Messages[^1].Content!] = "42",
            [prompts[2].Messages[^1].Content!] = "\\boxed{\\frac{3}{4}}", [prompts[3].Messages[^1].Content!] = "1,024",
        };
        var good = new ScriptedTeacher("good", right.ToDictionary(kv => kv.Key, kv => new ScriptedTeacher.Script(kv.Value, "0", 1)));
        var bad = new ScriptedTeacher("bad", right.ToDictionary(kv => kv.Key, kv => new ScriptedTeacher.Script(kv.Value, "\\boxed{\\frac{1}{4}}", 0)));
        var report = await EvalRunner.RunAsync([ScriptedTeacher.Model(good), ScriptedTeacher.Model(bad)], prompts);

        Assert.Equal(["math", "all"], report.Skills); // both layouts default to "math"
        Assert.Equal([gsm, math], report.Benches);
        Assert.Equal(1.0, report.Row("good", "math").Accuracy);
        Assert.Equal(0.0, report.Row("bad", "math").Accuracy);
        Assert.Equal(["7", "42", "\\frac{3}{4}", "1024"], report.Answers.Where(a => a.Model == "good").Select(a => a.Reference));
    }
}
