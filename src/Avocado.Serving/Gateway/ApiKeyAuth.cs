using Avocado.Serving.Billing;
using Avocado.Serving.Gateway.Protocol;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Avocado.Serving.Gateway;

/// <summary>The one authentication step of <c>/v1</c>: an endpoint filter on the whole group reads
/// <c>Authorization: Bearer KEY</c>, checks it through <see cref="ApiKeyCache"/>, and either answers the denial (an
/// OpenAI-style 401 naming why) or hands the key to the endpoint (<see cref="ApiKey"/>). No endpoint reads the header
/// itself, so every endpoint refuses the same way.</summary>
public static class ApiKeyAuth
{
    static readonly object ItemKey = new();

    public static RouteGroupBuilder RequireApiKey(this RouteGroupBuilder group)
    {
        group.AddEndpointFilter(async (context, next) =>
        {
            var http = context.HttpContext;
            var keys = http.RequestServices.GetRequiredService<ApiKeyCache>();
            var (key, denial) = await AuthenticateAsync(http, keys, fresh: false);
            if (denial is not null) return new ErrorResult(denial);
            http.Items[ItemKey] = key;
            return await next(context);
        });
        return group;
    }

    /// <summary>The key the filter accepted for this request.</summary>
    public static ApiKeyInfo ApiKey(this HttpContext http) =>
        http.Items[ItemKey] as ApiKeyInfo ?? throw new InvalidOperationException("the endpoint is not behind RequireApiKey");

    /// <summary>The key, or why it is refused. <paramref name="fresh"/> skips the cache (to explain a refusal the
    /// reservation found: revoked or expired a moment ago).</summary>
    public static async Task<(ApiKeyInfo? Key, ApiError? Denial)> AuthenticateAsync(HttpContext http, ApiKeyCache keys, bool fresh)
    {
        var header = http.Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) || header.Length <= 7)
            return (null, ApiError.Unauthorized("You didn't provide an API key. Send it as 'Authorization: Bearer YOUR_KEY'."));
        var result = await keys.AuthenticateAsync(header[7..].Trim(), fresh, http.RequestAborted);
        return result.Status switch
        {
            AuthStatus.Valid => (result.Key!, null),
            AuthStatus.Revoked => (null, ApiError.Unauthorized("This API key has been revoked.")),
            AuthStatus.Expired => (null, ApiError.Unauthorized("This API key has expired.")),
            _ => (null, ApiError.Unauthorized("Incorrect API key provided.")),
        };
    }

    /// <summary>An <see cref="ApiError"/> as a result (status, OpenAI error body, retry headers).</summary>
    public sealed class ErrorResult(ApiError error) : IResult
    {
        public ApiError Error => error;
        public Task ExecuteAsync(HttpContext httpContext) => httpContext.Response.WriteErrorAsync(error);
    }
}
