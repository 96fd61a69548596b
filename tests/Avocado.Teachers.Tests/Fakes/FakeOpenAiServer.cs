using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Avocado.Teachers.Tests.Fakes;

/// <summary>One request the fake server received. <see cref="Attempt"/> counts requests with the same last user
/// message (1 for the first), so a script can fail the first attempts of each prompt.</summary>
public sealed record FakeCall(int Number, int Attempt, string Prompt, JsonElement Body, string? Authorization);

/// <summary>What the fake server does with a request.</summary>
public abstract record FakeResponse
{
    /// <summary>A completion. <see cref="Tokens"/>: the logprob tokens' raw bytes (returned when the request asks for logprobs).</summary>
    public sealed record Ok(string? Content) : FakeResponse
    {
        public string? Reasoning { get; init; }
        public string ReasoningField { get; init; } = "reasoning_content";
        public IReadOnlyList<byte[]>? Tokens { get; init; }
        public string Finish { get; init; } = "stop";
        public bool OmitLogprobs { get; init; }
    }

    public sealed record Status(int Code, string Body = "{\"error\":{\"message\":\"injected\"}}") : FakeResponse
    {
        public IReadOnlyDictionary<string, string> Headers { get; init; } = new Dictionary<string, string>();
    }

    /// <summary>Waits (until the client gives up, at most), then does <see cref="Then"/>.</summary>
    public sealed record Slow(TimeSpan Delay, FakeResponse Then) : FakeResponse;

    /// <summary>Closes the connection before any response.</summary>
    public sealed record Drop : FakeResponse;

    /// <summary>Sends the headers and half a body, then closes the connection.</summary>
    public sealed record DropMidBody : FakeResponse;

    /// <summary>200 with a body that is not a completion.</summary>
    public sealed record Garbage : FakeResponse;
}

/// <summary>
/// A minimal OpenAI-compatible <c>/v1/chat/completions</c> on a loopback port (Kestrel) whose behaviour per request
/// a test scripts with <see cref="Respond"/>: completions with reasoning in any format and logprobs, error statuses
/// with retry-after headers, slow responses, dropped connections, garbage. Every response closes its connection, so
/// HttpClient's transparent retry of requests on reused connections never hides an injected fault.
/// </summary>
public sealed class FakeOpenAiServer : IAsyncDisposable
{
    readonly WebApplication app;
    readonly ConcurrentDictionary<string, int> attempts = new();
    int number, inFlight, maxInFlight;

    public Uri Endpoint { get; }
    public ConcurrentQueue<FakeCall> Calls { get; } = new();
    /// <summary>Completions returned (status 200 with a body).</summary>
    public ConcurrentQueue<FakeCall> Answered { get; } = new();
    public volatile Func<FakeCall, FakeResponse> Respond = call => new FakeResponse.Ok("echo: " + call.Prompt);
    /// <summary>Most requests waiting in a <see cref="FakeResponse.Slow"/> at once.</summary>
    public int MaxInFlight => Volatile.Read(ref maxInFlight);

    FakeOpenAiServer(WebApplication app, Uri endpoint)
    {
        this.app = app;
        Endpoint = endpoint;
    }

    public static async Task<FakeOpenAiServer> StartAsync(Func<FakeCall, FakeResponse>? respond = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        FakeOpenAiServer? server = null;
        app.MapPost("/v1/chat/completions", (HttpContext ctx) => server!.HandleAsync(ctx));
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server = new FakeOpenAiServer(app, new Uri(address.TrimEnd('/') + "/v1"));
        if (respond is not null) server.Respond = respond;
        return server;
    }

    async Task HandleAsync(HttpContext ctx)
    {
        using var doc = await JsonDocument.ParseAsync(ctx.Request.Body);
        var body = doc.RootElement.Clone();
        var prompt = body.GetProperty("messages").EnumerateArray().Last(m => m.GetProperty("role").GetString() == "user").GetProperty("content").GetString() ?? "";
        var call = new FakeCall(Interlocked.Increment(ref number), attempts.AddOrUpdate(prompt, 1, (_, n) => n + 1), prompt, body,
            ctx.Request.Headers.Authorization.FirstOrDefault());
        Calls.Enqueue(call);
        ctx.Response.Headers.Connection = "close";
        await WriteAsync(ctx, call, Respond(call));
    }

    async Task WriteAsync(HttpContext ctx, FakeCall call, FakeResponse response)
    {
        switch (response)
        {
            case FakeResponse.Slow slow:
            {
                var now = Interlocked.Increment(ref inFlight);
                for (int seen = Volatile.Read(ref maxInFlight); now > seen; seen = Volatile.Read(ref maxInFlight))
                    if (Interlocked.CompareExchange(ref maxInFlight, now, seen) == seen) break;
                try { await Task.Delay(slow.Delay, ctx.RequestAborted); }
                catch (OperationCanceledException) { return; }
                finally { Interlocked.Decrement(ref inFlight); }
                await WriteAsync(ctx, call, slow.Then);
                return;
            }
            case FakeResponse.Drop:
                ctx.Abort();
                return;
            case FakeResponse.DropMidBody:
            {
                var bytes = Completion(call, new FakeResponse.Ok("this body is cut short"));
                ctx.Response.ContentType = "application/json";
                ctx.Response.ContentLength = bytes.Length;
                await ctx.Response.Body.WriteAsync(bytes.AsMemory(0, bytes.Length / 2));
                await ctx.Response.Body.FlushAsync();
                ctx.Abort();
                return;
            }
            case FakeResponse.Garbage:
                ctx.Response.ContentType = "application/json";
                await ctx.Response.WriteAsync("{\"choices\": [{\"message\": ");
                return;
            case FakeResponse.Status status:
                ctx.Response.StatusCode = status.Code;
                foreach (var (k, v) in status.Headers) ctx.Response.Headers[k] = v;
                ctx.Response.ContentType = "application/json";
                await ctx.Response.WriteAsync(status.Body);
                return;
            case FakeResponse.Ok ok:
                ctx.Response.ContentType = "application/json";
                await ctx.Response.Body.WriteAsync(Completion(call, ok));
                Answered.Enqueue(call);
                return;
        }
    }

    static byte[] Completion(FakeCall call, FakeResponse.Ok ok)
    {
        var message = new JsonObject { ["role"] = "assistant", ["content"] = ok.Content };
        if (ok.Reasoning is not null) message[ok.ReasoningField] = ok.Reasoning;
        var choice = new JsonObject { ["index"] = 0, ["message"] = message, ["finish_reason"] = ok.Finish };
        bool wantLogprobs = call.Body.TryGetProperty("logprobs", out var lp) && lp.ValueKind == JsonValueKind.True;
        int top = call.Body.TryGetProperty("top_logprobs", out var t) ? t.GetInt32() : 0;
        var tokens = ok.Tokens ?? [Encoding.UTF8.GetBytes(ok.Content ?? "")];
        if (wantLogprobs && !ok.OmitLogprobs)
        {
            var content = new JsonArray();
            for (int i = 0; i < tokens.Count; i++)
            {
                var alternatives = new JsonArray();
                for (int k = 0; k < top; k++)
                    alternatives.Add(Token(Encoding.UTF8.GetBytes($"alt{k}"), -0.5f * (k + 1)));
                var token = Token(tokens[i], -0.01f * (i + 1));
                token["top_logprobs"] = alternatives;
                content.Add(token);
            }
            choice["logprobs"] = new JsonObject { ["content"] = content };
        }
        else choice["logprobs"] = null;
        var root = new JsonObject
        {
            ["id"] = $"chatcmpl-{call.Number}",
            ["object"] = "chat.completion",
            ["created"] = 1700000000,
            ["model"] = call.Body.GetProperty("model").GetString(),
            ["choices"] = new JsonArray(choice),
            ["usage"] = new JsonObject { ["prompt_tokens"] = 11, ["completion_tokens"] = tokens.Count, ["total_tokens"] = 11 + tokens.Count },
        };
        return Encoding.UTF8.GetBytes(root.ToJsonString());
    }

    static JsonObject Token(byte[] bytes, float logprob) => new()
    {
        ["token"] = Encoding.UTF8.GetString(bytes),
        ["logprob"] = logprob,
        ["bytes"] = new JsonArray([.. bytes.Select(b => (JsonNode)b)]),
    };

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
