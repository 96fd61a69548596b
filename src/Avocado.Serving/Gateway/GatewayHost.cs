using Avocado.Serving.Billing;
using Avocado.Serving.Gateway.Protocol;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Avocado.Serving.Gateway;

/// <summary>Builds the gateway web application: Kestrel, error and request-id middleware, the OpenAI and admin APIs,
/// and the start-up recovery pass that settles reservations left open by a crashed instance.</summary>
public static class GatewayHost
{
    public static WebApplication Build(GatewayOptions options, IBillingStore billing, ModelRegistry models,
        IEnumerable<string> urls, TimeProvider? time = null, LogLevel logLevel = LogLevel.Warning)
    {
        options.Validate();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(logLevel);
        builder.WebHost.UseUrls(urls.ToArray());
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Limits.MaxRequestBodySize = HttpExtensions.DrainLimit(options.MaxRequestBytes); // our reader answers 413 in OpenAI's shape
        });
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(billing);
        builder.Services.AddSingleton(models);
        builder.Services.AddSingleton(time ?? TimeProvider.System);
        builder.Services.AddSingleton<ApiKeyCache>();
        builder.Services.AddSingleton<CompletionHandler>();

        var app = builder.Build();
        app.Use(ErrorsAndRequestIds);
        app.MapOpenAiApi();
        app.MapAdminApi();
        app.MapFallback(() => Results.Json(ApiError.NotFound("Unknown endpoint.").Body, statusCode: 404));
        app.Lifetime.ApplicationStarted.Register(() => _ = HeartbeatLoop(app, billing, options));
        return app;
    }

    /// <summary>Registers this instance and settles what dead instances left open; the heartbeat loop then keeps this
    /// instance visibly alive and repeats recovery every minute.</summary>
    public static async Task StartBillingAsync(IBillingStore billing, GatewayOptions options, CancellationToken ct = default)
    {
        await billing.RegisterInstanceAsync(options.InstanceId, ct);
        await billing.RecoverAsync(new RecoveryOptions(), ct);
    }

    static async Task HeartbeatLoop(WebApplication app, IBillingStore billing, GatewayOptions options)
    {
        var stopping = app.Lifetime.ApplicationStopping;
        var time = app.Services.GetRequiredService<TimeProvider>();
        var beats = 0;
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(TimeSpan.FromSeconds(20), time, stopping);
                await billing.HeartbeatAsync(options.InstanceId, stopping);
                // Credit held by an instance that died and never came back is freed here, not only at restarts.
                if (++beats % 3 == 0) await billing.RecoverAsync(new RecoveryOptions(), stopping);
            }
            catch (OperationCanceledException) { return; }
            catch (Exception e) { app.Logger.LogWarning(e, "heartbeat failed"); }
        }
    }

    static async Task ErrorsAndRequestIds(HttpContext http, RequestDelegate next)
    {
        if (!http.Response.Headers.ContainsKey(HttpExtensions.RequestIdHeader))
            http.Response.Headers[HttpExtensions.RequestIdHeader] = "req_" + Guid.NewGuid().ToString("N");
        try
        {
            await next(http);
        }
        catch (ApiError e) when (!http.Response.HasStarted)
        {
            await http.Response.WriteErrorAsync(e);
        }
        catch (OperationCanceledException) when (http.RequestAborted.IsCancellationRequested)
        {
            // The client left; nothing to answer.
        }
        catch (BadHttpRequestException e) when (!http.Response.HasStarted)
        {
            await http.Response.WriteErrorAsync(e.StatusCode == 413 ? ApiError.TooLarge(e.Message) : ApiError.BadRequest(e.Message));
        }
        catch (Exception e) when (!http.Response.HasStarted)
        {
            http.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("gateway").LogError(e, "unhandled error");
            await http.Response.WriteErrorAsync(ApiError.Internal("The server had an error while processing your request."));
        }
    }
}
