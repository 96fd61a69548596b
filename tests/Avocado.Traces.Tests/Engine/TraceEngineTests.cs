using System.Text.Json;
using Avocado.Traces.Config;
using Avocado.Traces.Engine;
using Avocado.Data.Dataset;

namespace Avocado.Traces.Tests.Engine;

[Collection(TinyTeachersCollection.Name)]
public sealed class TraceEngineTests(TinyTeachers tiny)
{
    string Config(string outputDir = "out") => $$"""
        {
          // two tiny in-process teachers; greedy, one request at a time per model, so replies are reproducible
          "teachers": [
            { "name": "qwen-tiny", "family": "qwen3", "provider": "in-process", "checkpoint": {{JsonSerializer.Serialize(tiny.Qwen3Dir)}},
              "revision": "tiny-q1", "sampling": { "temperature": 0, "max_tokens": 8, "seed": 7 }, "samples_per_prompt": 2,
              "top_logprobs": 2, "max_batch": 1 },
            { "name": "gemma-tiny", "family": "gemma3", "provider": "in-process", "checkpoint": {{JsonSerializer.Serialize(tiny.Gemma3Dir)}},
              "revision": "tiny-g1", "sampling": { "temperature": 0, "max_tokens": 8 }, "max_batch": 1 }
          ],
          "prompt_sets": [ { "name": "gsm8k", "files": ["prompts.jsonl"], "kind": "gsm8k" } ],
          "verifier": false,
          "output_dir": "{{outputDir}}",
          "concurrency": 2,
          "shard_size": 5
        }
        """;

    const int Requests = 4 * (2 + 1); // prompts × (samples of qwen + samples of gemma)

    static Task<TraceRunResult> Run(string configPath, bool resume = false, Action<int>? finished = null, CancellationToken ct = default) =>
        TraceEngine.RunAsync(TraceConfigLoader.Load(configPath), new TraceRunOptions { Resume = resume, RequestFinished = finished }, ct);

    static Dictionary<string, byte[]> DatasetFiles(string outputDir) =>
        new[] { DatasetManifest.FileName, DatasetCard.JsonFileName, DatasetCard.MarkdownFileName }
            .Concat(Directory.EnumerateFiles(Path.Combine(outputDir, DatasetWriter.DataDir)).Select(f => Path.Combine(DatasetWriter.DataDir, Path.GetFileName(f))))
            .Order(StringComparer.Ordinal)
            .ToDictionary(f => f, f => File.ReadAllBytes(Path.Combine(outputDir, f)));

    [Fact]
    public async Task Run_writes_records_with_provenance_reruns_from_cache_and_resumes_to_the_same_dataset()
    {
        var dirA = RunFiles.NewDir();
        var dirB = RunFiles.NewDir();
        try
        {
            // 1. An uninterrupted run: every request reaches a teacher; shards, manifest and card are written.
            var configA = RunFiles.WriteRun(dirA, Config());
            var first = await Run(configA);
            Assert.Equal(Requests, first.TeacherCalls);
            Assert.Equal(0, first.FailedRequests);
            var outA = Path.Combine(dirA, "out");
            var manifest = DatasetManifest.Read(Path.Combine(outA, DatasetManifest.FileName));
            Assert.Equal(Requests, manifest.Records); // verifier off: every reply kept
            Assert.Equal(3, manifest.Files.Count);    // 12 records, 5 per shard
            Assert.Equal(["tiny-q1", "tiny-g1"], manifest.Teachers.Select(t => t.Revision));
            Assert.False(string.IsNullOrEmpty(manifest.ConfigHash));

            Assert.Equal("parquet", manifest.ShardFormat);
            Assert.All(manifest.Files, f => Assert.EndsWith(".parquet", f.Path));
            var records = manifest.Files.SelectMany(f => DatasetWriter.ReadShard(Path.Combine(outA, f.Path)))
                .Select(r => JsonSerializer.SerializeToElement(r, DatasetRecord.Json)).ToList();
            Assert.Equal(Requests, records.Count);
            Assert.Equal(Requests, records.Select(r => r.GetProperty("id").GetString()).Distinct().Count());
            foreach (var r in records)
            {
                foreach (var field in new[] { "prompt_id", "prompt_source", "skill", "answer", "teacher", "family", "model_revision", "license", "finish_reason" })
                    Assert.True(r.TryGetProperty(field, out var v) && v.ValueKind == JsonValueKind.String, $"record lacks {field}: {r}");
                Assert.Equal("math", r.GetProperty("skill").GetString());
                Assert.StartsWith("gsm8k:prompts.jsonl", r.GetProperty("prompt_source").GetString());
                Assert.Equal("assistant", r.GetProperty("messages")[1].GetProperty("role").GetString());
                Assert.True(r.GetProperty("sampling").TryGetProperty("temperature", out _));
                Assert.Equal("verifier off: every reply kept", r.GetProperty("selection").GetProperty("reason").GetString());
                var gemma = r.GetProperty("family").GetString() == "gemma3";
                Assert.Equal(gemma ? "Gemma Terms of Use" : "Apache-2.0", r.GetProperty("license").GetString());
                Assert.Equal(gemma, r.GetProperty("gemma_terms").GetBoolean());
                if (!gemma)
                {
                    // top-k logprobs with byte spans that tile the text
                    var text = System.Text.Encoding.UTF8.GetByteCount(r.GetProperty("text").GetString()!);
                    var tokens = r.GetProperty("logprobs").EnumerateArray().ToList();
                    Assert.NotEmpty(tokens);
                    Assert.Equal(text, tokens.Sum(t => t.GetProperty("byte_length").GetInt32()));
                    Assert.Equal(2, tokens[0].GetProperty("top").GetArrayLength());
                }
            }
            Assert.Equal([0L, 1L], records.Where(r => r.GetProperty("teacher").GetString() == "qwen-tiny")
                .Select(r => (long)r.GetProperty("sample_index").GetInt32()).Distinct().Order());
            var card = File.ReadAllText(Path.Combine(outA, DatasetCard.MarkdownFileName));
            Assert.Contains("Gemma Terms of Use apply", card);
            var cardJson = JsonDocument.Parse(File.ReadAllText(Path.Combine(outA, DatasetCard.JsonFileName))).RootElement;
            Assert.Equal(8, cardJson.GetProperty("records_per_teacher").GetProperty("qwen-tiny").GetInt32());
            Assert.Equal(4, cardJson.GetProperty("gemma_derived_records").GetInt32());
            var summary = DatasetInspector.Inspect(outA);
            Assert.Equal(Requests, summary.Rows);
            Assert.Equal(4, summary.PerTeacher["gemma-tiny"]);
            Assert.Contains("model_revision", summary.Columns);
            var expected = DatasetFiles(outA);

            // 2. The same run again: everything comes from the cache, the dataset is unchanged.
            await Assert.ThrowsAsync<TraceRunException>(() => Run(configA));   // not without --resume
            var again = await Run(configA, resume: true);
            Assert.Equal(0, again.TeacherCalls);
            Assert.Equal(Requests, again.Teachers.Sum(t => t.FromCache));
            Assert.Equal(expected, DatasetFiles(outA));

            // 3. A run cancelled after 4 replies, then resumed, writes the same dataset as the uninterrupted run.
            var configB = RunFiles.WriteRun(dirB, Config());
            using var cts = new CancellationTokenSource();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Run(configB, finished: n => { if (n == 4) cts.Cancel(); }, ct: cts.Token));
            Assert.False(File.Exists(Path.Combine(dirB, "out", DatasetManifest.FileName)));
            var resumed = await Run(configB, resume: true);
            Assert.InRange(resumed.TeacherCalls, 1, Requests - 4);
            Assert.Equal(Requests, resumed.TeacherCalls + resumed.Teachers.Sum(t => t.FromCache));
            Assert.Equal(expected, DatasetFiles(Path.Combine(dirB, "out")));
        }
        finally
        {
            Directory.Delete(dirA, recursive: true);
            Directory.Delete(dirB, recursive: true);
        }
    }
}
