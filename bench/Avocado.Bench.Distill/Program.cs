using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text.Json;
using Avocado.Traces.Config;
using Avocado.Traces.Engine;
using Avocado.Data.Prompts;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

// Samples/s through the data engine (one openai teacher) vs. raw HttpClient workers, same fake endpoint, same concurrency.
int n = 2000, c = 16, latencyMs = 20;
for (int i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--prompts": n = int.Parse(args[++i]); break;
        case "--concurrency": c = int.Parse(args[++i]); break;
        case "--latency-ms": latencyMs = int.Parse(args[++i]); break;
        default:
            Console.Error.WriteLine("usage: Avocado.Bench.Distill [--prompts N] [--concurrency C] [--latency-ms MS]");
            return 2;
    }
}
Console.WriteLine($"command: dotnet run -c Release --project bench/Avocado.Bench.Distill -- --prompts {n} --concurrency {c} --latency-ms {latencyMs}");

var bodies = new ConcurrentQueue<byte[]>();
var capture = false;
var reply = System.Text.Encoding.UTF8.GetBytes("""
    {"id":"chatcmpl-bench","object":"chat.completion","created":1700000000,"model":"bench","choices":[{"index":0,"message":{"role":"assistant","content":"6 boxes of 7 eggs: 6 * 7 = 42.\n#### 42"},"finish_reason":"stop"}],"usage":{"prompt_tokens":40,"completion_tokens":16,"total_tokens":56}}
    """);

var builder = WebApplication.CreateSlimBuilder();
builder.Logging.ClearProviders();
builder.WebHost.UseUrls("http://127.0.0.1:0");
builder.WebHost.ConfigureKestrel(k => k.AddServerHeader = false);
await using var app = builder.Build();
app.MapPost("/v1/chat/completions", async (HttpContext ctx) =>
{
    using var ms = new MemoryStream();
    await ctx.Request.Body.CopyToAsync(ms);
    if (Volatile.Read(ref capture)) bodies.Enqueue(ms.ToArray());
    using (JsonDocument.Parse(ms.GetBuffer().AsMemory(0, (int)ms.Length))) { } // parse it as a real server would
    await Task.Delay(latencyMs);
    ctx.Response.ContentType = "application/json";
    ctx.Response.ContentLength = reply.Length;
    await ctx.Response.Body.WriteAsync(reply);
});
await app.StartAsync();
var baseUrl = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
var endpoint = new Uri(baseUrl + "/v1");

var work = Path.Combine(Path.GetTempPath(), "avocado-bench-distill-" + Guid.NewGuid().ToString("N"));
Directory.CreateDirectory(work);
try
{
    // GSM8K-style prompts, all distinct (no cache hits), reference 42 so the verifier keeps every reply.
    var promptFile = Path.Combine(work, "prompts.jsonl");
    File.WriteAllLines(promptFile, Enumerable.Range(0, n).Select(i => JsonSerializer.Serialize(new
    {
        question = $"Crate {i} holds 6 boxes with 7 eggs each. How many eggs are in crate {i}?",
        answer = "6 * 7 = 42\n#### 42",
    })));
    int run = 0;
    TraceConfig Config() => new()
    {
        Teachers = [new TeacherConfig
        {
            Name = "bench", Family = "qwen3", Provider = TeacherProvider.OpenAi, Endpoint = endpoint, Model = "bench", License = "apache-2.0",
        }],
        PromptSets = [new PromptSetConfig { Name = "gsm8k-bench", Files = [promptFile], Kind = PromptFileKind.Gsm8k }],
        OutputDir = Path.Combine(work, $"out-{run++}"),
        Concurrency = c,
    };

    async Task<(double Seconds, int Samples)> Engine()
    {
        var sw = Stopwatch.StartNew();
        var result = await TraceEngine.RunAsync(Config(), new TraceRunOptions(), CancellationToken.None);
        sw.Stop();
        if (result.FailedRequests != 0 || result.TeacherCalls != n || result.Manifest.Records != n)
            throw new InvalidOperationException($"engine run: {result.FailedRequests} failed, {result.TeacherCalls} calls, {result.Manifest.Records} records");
        return (sw.Elapsed.TotalSeconds, (int)result.Manifest.Records);
    }

    using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = c, PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
    { Timeout = Timeout.InfiniteTimeSpan };
    var completions = new Uri(endpoint.AbsoluteUri + "/chat/completions");
    async Task<(double Seconds, int Samples)> Raw(byte[][] requestBodies)
    {
        int next = -1, ok = 0;
        var sw = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, c).Select(async _ =>
        {
            for (int j; (j = Interlocked.Increment(ref next)) < requestBodies.Length;)
            {
                using var msg = new HttpRequestMessage(HttpMethod.Post, completions)
                {
                    Content = new ByteArrayContent(requestBodies[j]) { Headers = { ContentType = new MediaTypeHeaderValue("application/json") } },
                };
                using var response = await http.SendAsync(msg, HttpCompletionOption.ResponseHeadersRead);
                var bytes = await response.Content.ReadAsByteArrayAsync();
                response.EnsureSuccessStatusCode();
                using var doc = JsonDocument.Parse(bytes);
                if (doc.RootElement.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString() is { Length: > 0 })
                    Interlocked.Increment(ref ok);
            }
        }));
        sw.Stop();
        return (sw.Elapsed.TotalSeconds, ok);
    }

    // Warm-up engine run also captures the exact bodies the teacher sends; the raw workers replay them.
    Volatile.Write(ref capture, true);
    await Engine();
    Volatile.Write(ref capture, false);
    var captured = bodies.ToArray();
    if (captured.Length != n) throw new InvalidOperationException($"captured {captured.Length} bodies, expected {n}");
    await Raw(captured[..Math.Min(captured.Length, 4 * c)]);

    // Interleave two measured runs of each; report the better of each.
    var raw1 = await Raw(captured);
    var eng1 = await Engine();
    var raw2 = await Raw(captured);
    var eng2 = await Engine();
    var raw = raw1.Seconds <= raw2.Seconds ? raw1 : raw2;
    var eng = eng1.Seconds <= eng2.Seconds ? eng1 : eng2;
    double rawRate = raw.Samples / raw.Seconds, engRate = eng.Samples / eng.Seconds;
    double overhead = (rawRate - engRate) / rawRate * 100;
    double ideal = c * 1000.0 / latencyMs;

    Console.WriteLine();
    Console.WriteLine($"N={n} prompts, concurrency={c}, simulated latency={latencyMs} ms (ideal {ideal:0} samples/s)");
    Console.WriteLine();
    Console.WriteLine("| path | samples | seconds | samples/s |");
    Console.WriteLine("|---|---:|---:|---:|");
    Console.WriteLine($"| raw endpoint (HttpClient ×{c}) | {raw.Samples} | {raw.Seconds:0.000} | {rawRate:0.0} |");
    Console.WriteLine($"| data engine (openai teacher) | {eng.Samples} | {eng.Seconds:0.000} | {engRate:0.0} |");
    Console.WriteLine();
    Console.WriteLine($"engine overhead: {overhead:0.0} % (target ≤ 5 %) — {(overhead <= 5 ? "OK" : "ABOVE TARGET")}");
    return 0;
}
finally
{
    try { Directory.Delete(work, recursive: true); } catch (IOException) { }
}
