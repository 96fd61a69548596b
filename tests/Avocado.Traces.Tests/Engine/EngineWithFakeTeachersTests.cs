using System.Text.Json;
using Avocado.Traces.Config;
using Avocado.Traces.Engine;
using Avocado.Data.Dataset;
using Avocado.Teachers;

namespace Avocado.Traces.Tests.Engine;

/// <summary>Verification, selection and failure reporting, with scripted teachers behind endpoint configs.</summary>
public sealed class EngineWithFakeTeachersTests
{
    /// <summary>Answers every prompt with "\boxed{42}", or fails every request.</summary>
    sealed class FakeTeacher(string name, string family, bool fail) : ITeacher
    {
        public int Calls;
        public string Name => name;
        public string Family => family;
        public string Revision => "fake-1";
        public string License => TeacherFamilies.DefaultLicense(family);

        public Task<TeacherReply> GenerateAsync(TeacherRequest request, CancellationToken ct)
        {
            Interlocked.Increment(ref Calls);
            if (fail) throw new HttpRequestException("connection refused (fake endpoint down)");
            var content = "The answer is \\boxed{42}.";
            return Task.FromResult(new TeacherReply
            {
                Reasoning = "6 times 7.", Content = content, Text = content, CompletionTokens = 9 + request.SampleIndex,
                PromptHash = "h", Teacher = name, Revision = Revision, License = License, Latency = TimeSpan.FromMilliseconds(5),
            });
        }
    }

    const string Config = """
        {
          "teachers": [
            { "name": "good", "family": "gpt-oss", "provider": "openai", "endpoint": "http://127.0.0.1:9/v1", "model": "m", "samples_per_prompt": 2 },
            { "name": "down", "family": "gemma3", "provider": "openai", "endpoint": "http://127.0.0.1:9/v1", "model": "m" }
          ],
          "prompt_sets": [ { "files": ["prompts.jsonl"] } ],
          "selection_policy": "majority-vote",
          "output_dir": "out",
          "shard_format": "jsonl"
        }
        """;

    [Fact]
    public async Task Failing_teacher_is_reported_while_the_others_are_verified_and_selected()
    {
        var dir = RunFiles.NewDir();
        try
        {
            var config = TraceConfigLoader.Load(RunFiles.WriteRun(dir, Config));
            var fakes = new Dictionary<string, FakeTeacher>();
            var progress = new StringWriter();
            var result = await TraceEngine.RunAsync(config, new TraceRunOptions
            {
                Progress = progress,
                ProgressInterval = TimeSpan.Zero,
                CreateTeacher = t => fakes[t.Name] = new FakeTeacher(t.Name, t.Family, fail: t.Name == "down"),
            }, CancellationToken.None);

            Assert.Equal(4, result.FailedRequests);
            var down = result.Teachers.Single(t => t.Name == "down");
            Assert.Equal(4, down.Failed);
            Assert.Contains(down.Errors, e => e.Contains("fake endpoint down"));
            Assert.Contains("errors 4", progress.ToString());
            Assert.Contains("ETA", progress.ToString());
            var good = result.Teachers.Single(t => t.Name == "good");
            Assert.Equal(8, good.Verified);
            Assert.Equal(2, good.Correct);               // one of the four prompts has reference 42
            Assert.Matches(@"good\s+8\s+0\s+0\s+\d+\s+25\.0%", result.Table);

            // Only the two verified replies to the "42" prompt are kept, with why.
            var manifest = result.Manifest;
            Assert.Equal("jsonl", manifest.ShardFormat);
            Assert.Equal(2, manifest.Records);
            Assert.Equal(12, manifest.Counts.Requests);
            Assert.Equal(4, manifest.Counts.FailedRequests);
            Assert.Equal(4, manifest.Teachers.Single(t => t.Name == "down").FailedRequests);
            var records = File.ReadAllLines(Path.Combine(config.OutputDir, manifest.Files[0].Path)).Select(l => JsonDocument.Parse(l).RootElement).ToList();
            Assert.All(records, r =>
            {
                Assert.Equal("good", r.GetProperty("teacher").GetString());
                Assert.Equal("Correct", r.GetProperty("verification").GetProperty("verdict").GetString());
                Assert.Equal("majority-vote", r.GetProperty("selection").GetProperty("policy").GetString());
                Assert.False(string.IsNullOrEmpty(r.GetProperty("selection").GetProperty("reason").GetString()));
                Assert.Equal("6 times 7.", r.GetProperty("reasoning").GetString());
            });
            Assert.Equal([0, 1], records.Select(r => r.GetProperty("sample_index").GetInt32()));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
