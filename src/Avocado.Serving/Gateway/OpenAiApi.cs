using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Avocado.Serving.Gateway;

/// <summary>The OpenAI-compatible surface: /v1/models, /v1/chat/completions, /v1/completions.</summary>
public static class OpenAiApi
{
    public static IEndpointRouteBuilder MapOpenAiApi(this IEndpointRouteBuilder app)
    {
        var v1 = app.MapGroup("/v1").RequireApiKey();
        v1.MapGet("/models", ListModels).WithName("ListModels");
        v1.MapPost("/chat/completions", (HttpContext http, CompletionHandler h) => h.HandleAsync(http, chat: true)).WithName("ChatCompletions");
        v1.MapPost("/completions", (HttpContext http, CompletionHandler h) => h.HandleAsync(http, chat: false)).WithName("Completions");
        return app;
    }

    static async Task ListModels(HttpContext http, ModelRegistry models)
    {
        var key = http.ApiKey();
        http.Response.ContentType = "application/json";
        await using var w = new Utf8JsonWriter(http.Response.Body);
        w.WriteStartObject();
        w.WriteString("object", "list");
        w.WriteStartArray("data");
        foreach (var m in models.All.Where(m => key.Allows(m.Name)))
        {
            w.WriteStartObject();
            w.WriteString("id", m.Name);
            w.WriteString("object", "model");
            w.WriteNumber("created", 0);
            w.WriteString("owned_by", m.OwnedBy);
            w.WriteNumber("max_model_len", m.ContextLength);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();
    }
}
