using System.Text.Json;
using System.Text.Json.Serialization;

namespace Avocado.Serving.Gateway.Protocol;

/// <summary>An OpenAI-shaped error: HTTP status plus <c>{"error": {"message", "type", "param", "code"}}</c>.
/// Handlers return these as results; they are thrown only out of request parsing, where a deep call stack would
/// otherwise have to thread them back.</summary>
public sealed class ApiError(int status, string message, string type, string? param = null, string? code = null)
    : Exception(message)
{
    public int Status { get; } = status;
    public string Type { get; } = type;
    public string? Param { get; } = param;
    public string? Code { get; } = code;
    /// <summary>Seconds to wait before retrying (429); null when retrying cannot help or does not apply.</summary>
    public double? RetryAfterSeconds { get; init; }
    /// <summary>Sent as <c>x-should-retry</c>: false for exhausted budgets, where retrying only burns requests.</summary>
    public bool? ShouldRetry { get; init; }

    public static ApiError BadRequest(string message, string? param = null, string code = "invalid_request") =>
        new(400, message, "invalid_request_error", param, code);
    public static ApiError Unauthorized(string message) => new(401, message, "invalid_request_error", null, "invalid_api_key");
    public static ApiError Forbidden(string message) => new(403, message, "permission_error", null, "model_not_allowed");
    public static ApiError ModelNotFound(string model) =>
        new(404, $"The model '{model}' does not exist or you do not have access to it.", "invalid_request_error", "model", "model_not_found");
    public static ApiError NotFound(string message) => new(404, message, "invalid_request_error", null, "not_found");
    public static ApiError TooLarge(string message) => new(413, message, "invalid_request_error", null, "request_too_large");
    public static ApiError RateLimited(string message, double retryAfter) =>
        new(429, message, "requests", null, "rate_limit_exceeded") { RetryAfterSeconds = retryAfter, ShouldRetry = true };
    public static ApiError InsufficientQuota(string message) =>
        new(429, message, "insufficient_quota", null, "insufficient_quota") { ShouldRetry = false };
    public static ApiError Overloaded(string message) =>
        new(503, message, "server_error", null, "overloaded") { RetryAfterSeconds = 1, ShouldRetry = true };
    public static ApiError Upstream(string message) => new(502, message, "server_error", null, "upstream_error");
    public static ApiError Internal(string message) => new(500, message, "server_error", null, "internal_error");

    public object Body => new ErrorBody(new ErrorDetail(Message, Type, Param, Code));

    public byte[] ToJsonBytes() => JsonSerializer.SerializeToUtf8Bytes(Body, ProtocolJson.Options);

    sealed record ErrorBody([property: JsonPropertyName("error")] ErrorDetail Error);

    sealed record ErrorDetail(
        [property: JsonPropertyName("message")] string Message,
        [property: JsonPropertyName("type")] string Type,
        [property: JsonPropertyName("param")] string? Param,
        [property: JsonPropertyName("code")] string? Code);
}

public static class ProtocolJson
{
    public static readonly JsonSerializerOptions Options = new()
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };
}
