using System.Collections.Concurrent;
using Avocado.Traces.Config;
using Avocado.Traces.Engine;
using Avocado.Teachers;

namespace Avocado.Traces.Tests.Engine;

/// <summary>A teacher that batches (in-process) gets fixed chunks of its jobs in job order, whatever the concurrency and
/// whatever finishes first, so a rerun's traces do not depend on timing; cached replies are not asked again.</summary>
public sealed class BatchingTeacherUnitsTests
{
    sealed class RecordingBatchTeacher(string name, int maxBatch) : IBatchTeacher
    {
        public readonly ConcurrentQueue<string[]> Groups = new();
        public string Name => name;
        public string Family => TeacherFamilies.Qwen3;
        public string Revision => "fake-1";
        public string License => "Apache-2.0";
        public int MaxBatch => maxBatch;

        public Task<TeacherReply> GenerateAsync(TeacherRequest request, CancellationToken ct) =>
            throw new InvalidOperationException("a batching teacher must be sent fixed groups");

        public IReadOnlyList<Task<TeacherReply>> GenerateTogether(IReadOnlyList<TeacherRequest> requests, CancellationToken ct)
        {
            Groups.Enqueue([.. requests.Select(Label)]);
            return [.. requests.Select(async r =>
            {
                await Task.Yield();
                var content = "The answer is \\boxed{42}.";
                return new TeacherReply
                {
                    Content = content, Text = content, CompletionTokens = 5, PromptHash = "h", Teacher = name,
                    Revision = Revision, License = License, Latency = TimeSpan.FromMilliseconds(1),
                };
            })];
        }

        static string Label(TeacherRequest r) => $"{r.Messages[^1].Content![..12]}#{r.SampleIndex}";
    }

    static string Config(int concurrency) => $$"""
        {
          "teachers": [ { "name": "local", "family": "qwen3", "provider": "openai", "endpoint": "http://127.0.0.1:9/v1", "model": "m", "samples_per_prompt": 3 } ],
          "prompt_sets": [ { "files": ["prompts.jsonl"] } ],
          "output_dir": "out",
          "shard_format": "jsonl",
          "concurrency": {{concurrency}}
        }
        """;

    [Fact]
    public async Task Chunks_are_fixed_in_job_order_and_a_resumed_run_sends_only_what_is_not_cached()
    {
        var dir = RunFiles.NewDir();
        try
        {
            List<string[]>? first = null;
            foreach (var concurrency in new[] { 1, 16 })
            {
                var config = TraceConfigLoader.Load(RunFiles.WriteRun(dir, Config(concurrency))) with { OutputDir = Path.Combine(dir, "out" + concurrency) };
                var teacher = new RecordingBatchTeacher("local", maxBatch: 5);
                var result = await TraceEngine.RunAsync(config, new TraceRunOptions { CreateTeacher = _ => teacher }, CancellationToken.None);

                Assert.Equal(12, result.Manifest.Counts.Requests);                 // 4 prompts × 3 samples
                var groups = teacher.Groups.ToList();
                Assert.Equal([5, 5, 2], groups.Select(g => g.Length).Order().Reverse());
                var ordered = groups.OrderBy(g => Array.IndexOf(RunFiles.Gsm8kLines, RunFiles.Gsm8kLines.First(l => l.Contains(g[0][..12]))) * 10
                                                  + int.Parse(g[0].Split('#')[1])).ToList();
                Assert.Equal(["Tom has 3 ap#0", "Tom has 3 ap#1", "Tom has 3 ap#2", "A box holds #0", "A box holds #1"], ordered[0]);
                first ??= ordered;
                Assert.Equal(first, ordered);
            }

            // Resumed: every reply is in the cache, nothing is generated again.
            var again = TraceConfigLoader.Load(Path.Combine(dir, "run.json")) with { OutputDir = Path.Combine(dir, "out1") };
            var resumed = new RecordingBatchTeacher("local", maxBatch: 5);
            await TraceEngine.RunAsync(again, new TraceRunOptions { CreateTeacher = _ => resumed, Resume = true }, CancellationToken.None);
            Assert.Empty(resumed.Groups);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
