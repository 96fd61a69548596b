using System.Text.Json;
using Avocado.Serving.Gateway.Protocol;
using Microsoft.AspNetCore.Http;

namespace Avocado.Serving.Gateway;

/// <summary>Reading and answering HTTP requests the OpenAI way.</summary>
public static class HttpExtensions
{
    public const string RequestIdHeader = "x-request-id";

    /// <summary>Reads at most <paramref name="limit"/> bytes of JSON; 413 beyond it, 400 for invalid JSON or UTF-8.</summary>
    public static async Task<JsonDocument> ReadJsonAsync(this HttpRequest request, long limit, CancellationToken ct)
    {
        if (request.ContentLength > limit) throw ApiError.TooLarge($"The request body is larger than {limit} bytes.");
        using var buffer = new MemoryStream();
        var chunk = new byte[16384];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + read > limit) throw ApiError.TooLarge($"The request body is larger than {limit} bytes.");
            buffer.Write(chunk, 0, read);
        }
        if (buffer.Length == 0) throw ApiError.BadRequest("The request body is empty; expected a JSON object.", null, "invalid_json");
        try
        {
            return JsonDocument.Parse(buffer.GetBuffer().AsMemory(0, (int)buffer.Length), new JsonDocumentOptions { MaxDepth = 64 });
        }
        catch (JsonException e)
        {
            throw ApiError.BadRequest($"We could not parse the JSON body of your request: {e.Message}", null, "invalid_json");
        }
    }

    public static async Task WriteErrorAsync(this HttpResponse response, ApiError error)
    {
        response.StatusCode = error.Status;
        response.ContentType = "application/json";
        if (error.RetryAfterSeconds is { } s)
        {
            response.Headers["retry-after"] = Math.Max(1, (int)Math.Ceiling(s)).ToString(System.Globalization.CultureInfo.InvariantCulture);
            response.Headers["retry-after-ms"] = ((long)(s * 1000)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        if (error.ShouldRetry is { } retry) response.Headers["x-should-retry"] = retry ? "true" : "false";
        await response.Body.WriteAsync(error.ToJsonBytes());
    }
}
