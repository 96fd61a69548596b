using System.Collections.Concurrent;
using System.Text.Json;
using Avocado.Traces.Config;
using Avocado.Traces.Engine;
using Avocado.Teachers;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Avocado.Traces.Tests.Engine;

/// <summary>
/// The engine with a real <see cref="OpenAiTeacher"/> against a fake OpenAI-compatible server on loopback that, per
/// prompt, answers 500, then 429 (retry-after 0.05 s), then too slowly, then drops the connection, and only then answers.
/// </summary>
public sealed class LoopbackEndpointTests
{
    /// <summary>Scripted server: the n-th call for a prompt (keyed by its last user message) gets the n-th fault.</summary>
    sealed class ScriptedServer : IAsyncDisposable
    {
        readonly WebApplication app;
        readonly ConcurrentDictionary<string, int> attempts = new();
        public readonly ConcurrentDictionary<string, string> Answered = new();
        public int Calls;
        public int Successes;
        public Uri BaseUrl { get; private set; } = null!;

        ScriptedServer(WebApplication app) => this.app = app;

        public static async Task<ScriptedServer> StartAsync()
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            var app = builder.Build();
            var server = new ScriptedServer(app);
            app.MapPost("/v1/chat/completions", server.Answer);
            await app.StartAsync();
            server.BaseUrl = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First() + "/v1");
            return server;
        }

        async Task Answer(HttpContext ctx)
        {
            Interlocked.Increment(ref Calls);
            using var body = await JsonDocument.ParseAsync(ctx.Request.Body);
            var prompt = body.RootElement.GetProperty("messages").EnumerateArray()
                .Last(m => m.GetProperty("role").GetString() == "user").GetProperty("content").GetString() ?? "";
            int n = attempts.AddOrUpdate(prompt, 1, (_, x) => x + 1);
            // Every response closes its connection, so HttpClient never transparently retries on a reused one.
            ctx.Response.Headers.Connection = "close";
            switch (n)
            {
                case 1:
                    ctx.Response.StatusCode = 500;
                    await ctx.Response.WriteAsync("{\"error\":\"injected 500\"}");
                    return;
                case 2:
                    ctx.Response.StatusCode = 429;
                    ctx.Response.Headers["retry-after"] = "0.05";
                    await ctx.Response.WriteAsync("{\"error\":\"injected 429\"}");
                    return;
                case 3:
                    // Beyond the client's timeout; never a success even if it got through.
                    try { await Task.Delay(TimeSpan.FromSeconds(30), ctx.RequestAborted); }
                    catch (OperationCanceledException) { return; }
                    ctx.Response.StatusCode = 503;
                    return;
                case 4:
                    ctx.Abort();
                    return;
            }
            var content = $"Worked it out on call {n} for [{prompt.Length}:{prompt.GetHashCode():x8}]. #### 42";
            Answered[prompt] = content;
            Interlocked.Increment(ref Successes);
            var json = JsonSerializer.Serialize(new
            {
                id = "chatcmpl-loopback", @object = "chat.completion", created = 1700000000, model = "m",
                choices = new[] { new { index = 0, message = new { role = "assistant", content }, finish_reason = "stop" } },
                usage = new { prompt_tokens = 20, completion_tokens = 12, total_tokens = 32 },
            });
            ctx.Response.ContentType = "application/json";
            await ctx.Response.WriteAsync(json);
        }

        public async ValueTask DisposeAsync()
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }

    // Short timeouts and backoff, so the scripted faults take seconds, not minutes; a breaker that never opens.
    const string Resilience = """
        "request_timeout_seconds": 2, "max_attempts": 6, "retry_base_delay_seconds": 0.01, "retry_max_delay_seconds": 0.05,
        "breaker_threshold": 1000
        """;

    static string Config(Uri endpoint, string resilience = Resilience) => $$"""
        {
          "teachers": [ { "name": "loop", "family": "qwen3", "provider": "openai", "endpoint": "{{endpoint}}", "model": "m", {{resilience}} } ],
          "prompt_sets": [ { "files": ["prompts.jsonl"] } ],
          "verifier": false,
          "output_dir": "out",
          "concurrency": 4,
          "shard_format": "jsonl"
        }
        """;

    // The teacher is built from the config (TeacherFactory), timeouts and retries included.
    static TraceRunOptions Options(bool resume) => new() { Resume = resume };

    [Fact]
    public async Task Every_prompt_ends_with_one_record_holding_the_final_reply_and_resume_calls_nothing()
    {
        var dir = RunFiles.NewDir();
        try
        {
            await using var server = await ScriptedServer.StartAsync();
            var config = TraceConfigLoader.Load(RunFiles.WriteRun(dir, Config(server.BaseUrl)));
            int prompts = RunFiles.Gsm8kLines.Length;

            var result = await TraceEngine.RunAsync(config, Options(resume: false), CancellationToken.None);

            Assert.Equal(0, result.FailedRequests);
            Assert.Equal(prompts, result.TeacherCalls);
            // Each prompt needs five calls; on a loaded machine a successful answer can still outlast the client's
            // timeout and be asked again, so the server may count more — the dataset must not.
            Assert.True(server.Successes >= prompts, $"{server.Successes} successes for {prompts} prompts");
            Assert.True(server.Calls >= prompts * 5, $"{server.Calls} calls for {prompts} prompts");
            Assert.Equal(prompts, server.Answered.Count);

            var records = Directory.EnumerateFiles(Path.Combine(dir, "out", "data"), "train-*.jsonl").Order()
                .SelectMany(File.ReadLines).Where(l => l.Length > 0)
                .Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToList();
            Assert.Equal(prompts, records.Count);
            Assert.Equal(prompts, result.Manifest.Records);
            var promptIds = records.Select(r => r.GetProperty("prompt_id").GetString()).ToList();
            Assert.Equal(prompts, promptIds.Distinct().Count());
            foreach (var r in records)
            {
                var messages = r.GetProperty("messages").EnumerateArray().ToList();
                var user = messages.Last(m => m.GetProperty("role").GetString() == "user").GetProperty("content").GetString()!;
                var answer = messages.Last().GetProperty("content").GetString();
                Assert.Equal(server.Answered[user], answer);
                Assert.Contains("#### 42", answer);
            }

            int callsBefore = server.Calls;
            var resumed = await TraceEngine.RunAsync(config, Options(resume: true), CancellationToken.None);
            Assert.Equal(callsBefore, server.Calls);
            Assert.Equal(0, resumed.TeacherCalls);
            Assert.Equal(prompts, resumed.Manifest.Records);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task Max_attempts_from_the_config_bound_the_calls_per_request()
    {
        var dir = RunFiles.NewDir();
        try
        {
            await using var server = await ScriptedServer.StartAsync();
            // Two attempts meet only the 500 and the 429: every request fails, after exactly two calls.
            var config = TraceConfigLoader.Load(RunFiles.WriteRun(dir, Config(server.BaseUrl,
                """ "max_attempts": 2, "retry_base_delay_seconds": 0, "max_retry_after_seconds": 0.01, "breaker_threshold": 1000 """)));
            int prompts = RunFiles.Gsm8kLines.Length;

            var result = await TraceEngine.RunAsync(config, Options(resume: false), CancellationToken.None);

            Assert.Equal(prompts, result.FailedRequests);
            Assert.Equal(2 * prompts, server.Calls);
            Assert.Equal(0, server.Successes);
            Assert.Contains("all 2 attempts failed", Assert.Single(result.Teachers).Errors[0]);
            Assert.Equal(0, result.Manifest.Records);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
