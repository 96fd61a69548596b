using System.Text.Json;
using Avocado.Serving.Gateway.Protocol;
using Microsoft.AspNetCore.Http;

namespace Avocado.Serving.Gateway;

/// <summary>Reading and answering HTTP requests the OpenAI way.</summary>
public static class HttpExtensions
{
    public const string RequestIdHeader = "x-request-id";

    /// <summary>Kestrel's hard cap on a body: oversized bodies up to this are drained so the client reads the 413.</summary>
    public static long DrainLimit(long limit) => Math.Max(limit * 4, 64L << 20);

    /// <summary>Reads at most <paramref name="limit"/> bytes of JSON; 413 beyond it, 400 for invalid JSON or UTF-8.</summary>
    public static async Task<JsonDocument> ReadJsonAsync(this HttpRequest request, long limit, CancellationToken ct)
    {
        using var buffer = new MemoryStream(request.ContentLength is > 0 and var n && n <= limit ? (int)n : 0);
        // A pooled chunk: a fresh 16 KB array per request was a third of what the gateway allocated per call.
        var chunk = System.Buffers.ArrayPool<byte>.Shared.Rent(16384);
        long total = 0;
        try
        {
            int read;
            while ((read = await request.Body.ReadAsync(chunk, ct)) > 0)
            {
                total += read;
                // Past the limit the rest is read and dropped (Kestrel caps it at DrainLimit): answering while the client
                // is still sending would reach it as a broken pipe instead of a 413 it can read.
                if (total <= limit) buffer.Write(chunk, 0, read);
            }
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(chunk);
        }
        if (total > limit) throw ApiError.TooLarge($"The request body is larger than {limit} bytes.");
        if (buffer.Length == 0) throw ApiError.BadRequest("The request body is empty; expected a JSON object.", null, "invalid_json");
        // System.Text.Json checks string contents only when they are read; reject bad UTF-8 before anything does.
        if (!System.Text.Unicode.Utf8.IsValid(buffer.GetBuffer().AsSpan(0, (int)buffer.Length)))
            throw ApiError.BadRequest("The request body is not valid UTF-8.", null, "invalid_json");
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
