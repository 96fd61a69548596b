using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Avocado.Bench.Gateway;

/// <summary>An OpenAI-compatible upstream that answers POST /v1/chat/completions at once with a fixed answer:
/// JSON when the request has stream=false (the direct baseline), SSE with a usage chunk when stream=true (what
/// the gateway's UpstreamBackend always asks for).</summary>
sealed class FakeUpstream : IAsyncDisposable
{
    public const string Content = "Hello from the bench upstream.";
    public const int PromptTokens = 12, CompletionTokens = 7;

    static readonly byte[] Json = System.Text.Encoding.UTF8.GetBytes($$$"""
        {"id":"chatcmpl-fake","object":"chat.completion","created":1700000000,"model":"bench","choices":[{"index":0,"message":{"role":"assistant","content":"{{{Content}}}"},"finish_reason":"stop"}],"usage":{"prompt_tokens":{{{PromptTokens}}},"completion_tokens":{{{CompletionTokens}}},"total_tokens":{{{PromptTokens + CompletionTokens}}}}}
        """);

    static readonly byte[] Sse = System.Text.Encoding.UTF8.GetBytes(string.Concat(
        Event("""{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}"""),
        Event($$"""{"index":0,"delta":{"content":"{{Content}}"},"finish_reason":null}"""),
        Event("""{"index":0,"delta":{},"finish_reason":"stop"}"""),
        $$$"""data: {"id":"chatcmpl-fake","object":"chat.completion.chunk","created":1700000000,"model":"bench","choices":[],"usage":{"prompt_tokens":{{{PromptTokens}}},"completion_tokens":{{{CompletionTokens}}},"total_tokens":{{{PromptTokens + CompletionTokens}}}}}""" + "\n\n",
        "data: [DONE]\n\n"));

    static string Event(string choice) =>
        $$"""data: {"id":"chatcmpl-fake","object":"chat.completion.chunk","created":1700000000,"model":"bench","choices":[{{choice}}]}""" + "\n\n";

    readonly WebApplication app;
    public Uri BaseUrl { get; }

    FakeUpstream(WebApplication app, Uri baseUrl) => (this.app, BaseUrl) = (app, baseUrl);

    public static async Task<FakeUpstream> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.WebHost.ConfigureKestrel(k => k.AddServerHeader = false);
        var app = builder.Build();
        app.MapPost("/v1/chat/completions", Answer);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new FakeUpstream(app, new Uri(address));
    }

    static async Task Answer(HttpContext http)
    {
        // Parse the body as a real server would, to learn whether to stream.
        using var body = await JsonDocument.ParseAsync(http.Request.Body);
        bool stream = body.RootElement.TryGetProperty("stream", out var s) && s.ValueKind == JsonValueKind.True;
        http.Response.ContentType = stream ? "text/event-stream" : "application/json";
        if (!stream) http.Response.ContentLength = Json.Length; // SSE goes chunked, as real upstreams send it
        await http.Response.Body.WriteAsync(stream ? Sse : Json);
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
