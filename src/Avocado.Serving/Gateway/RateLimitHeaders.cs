using System.Globalization;
using Avocado.Serving.Billing;
using Microsoft.AspNetCore.Http;

namespace Avocado.Serving.Gateway;

/// <summary>OpenAI's x-ratelimit-* headers; clients and dashboards rely on them.</summary>
public static class RateLimitHeaders
{
    public static void Apply(HttpResponse response, RateDecision? decision)
    {
        if (decision is null) return;
        Window(response, "requests", decision.Requests);
        Window(response, "tokens", decision.Tokens);
    }

    static void Window(HttpResponse response, string kind, RateWindow w)
    {
        if (w.Limit is not { } limit) return;
        response.Headers[$"x-ratelimit-limit-{kind}"] = limit.ToString(CultureInfo.InvariantCulture);
        response.Headers[$"x-ratelimit-remaining-{kind}"] = Math.Max(0, w.Remaining).ToString(CultureInfo.InvariantCulture);
        response.Headers[$"x-ratelimit-reset-{kind}"] = Duration(w.ResetAfter);
    }

    /// <summary>OpenAI formats resets as "12ms", "1s", "6m0s".</summary>
    public static string Duration(TimeSpan t) => t.TotalSeconds < 1
        ? $"{Math.Max(0, (int)t.TotalMilliseconds)}ms"
        : t.TotalMinutes < 1 ? $"{(int)Math.Ceiling(t.TotalSeconds)}s" : $"{(int)t.TotalMinutes}m{t.Seconds}s";
}
