using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Avocado.Serving.Billing;
using Avocado.Serving.Gateway.Protocol;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Avocado.Serving.Gateway;

/// <summary>/admin: tenants, keys, prices, credits, usage and audit, behind the admin key. Every change is written
/// to the audit log by the store, with the actor "admin-api".</summary>
public static class AdminApi
{
    const string Actor = "admin-api";

    public static IEndpointRouteBuilder MapAdminApi(this IEndpointRouteBuilder app)
    {
        var admin = app.MapGroup("/admin").AddEndpointFilter(async (ctx, next) =>
        {
            Authorize(ctx.HttpContext);
            return await next(ctx);
        });
        admin.MapPost("/tenants", async (HttpContext h, IBillingStore s, GatewayOptions o) =>
        {
            var f = await Body(h, o);
            return Results.Json(Dto(await s.CreateTenantAsync(f.RequiredString("name"), Actor, h.RequestAborted)), statusCode: 201);
        }).WithName("CreateTenant");
        admin.MapGet("/tenants", async (IBillingStore s, CancellationToken ct) =>
            Results.Json((await s.ListTenantsAsync(ct)).Select(Dto))).WithName("ListTenants");
        admin.MapPost("/tenants/{tenant}/keys", async (string tenant, HttpContext h, IBillingStore s, GatewayOptions o) =>
        {
            var f = await Body(h, o);
            await RequireTenant(s, tenant, h.RequestAborted);
            var models = f.Array("models")?.EnumerateArray().Select(m => m.GetString() ?? "").ToArray();
            var created = await s.CreateApiKeyAsync(new NewApiKey(tenant, f.String("name") ?? "key")
            {
                AllowedModels = models,
                RequestsPerMinute = f.Integer("rpm", 1, long.MaxValue),
                TokensPerMinute = f.Integer("tpm", 1, long.MaxValue),
                ExpiresAt = f.String("expires_at") is { } e ? DateTimeOffset.Parse(e, System.Globalization.CultureInfo.InvariantCulture) : null,
            }, Actor, h.RequestAborted);
            return Results.Json(new { key = Dto(created.Key), secret = created.Secret }, statusCode: 201);
        }).WithName("CreateKey");
        admin.MapGet("/tenants/{tenant}/keys", async (string tenant, IBillingStore s, CancellationToken ct) =>
            Results.Json((await s.ListApiKeysAsync(tenant, ct)).Select(Dto))).WithName("ListKeys");
        admin.MapPost("/keys/{key}/revoke", async (string key, IBillingStore s, CancellationToken ct) =>
            await s.RevokeApiKeyAsync(key, Actor, ct) ? Results.Json(new { revoked = key })
                : throw ApiError.NotFound($"No active API key '{key}'.")).WithName("RevokeKey");
        admin.MapPut("/prices/{model}", async (string model, HttpContext h, IBillingStore s, GatewayOptions o) =>
        {
            var f = await Body(h, o);
            var price = Price.FromDollars(model, Dollars(f, "input_per_million"), Dollars(f, "output_per_million"));
            await s.SetPriceAsync(price, Actor, h.RequestAborted);
            return Results.Json(Dto(price));
        }).WithName("SetPrice");
        admin.MapGet("/prices", async (IBillingStore s, CancellationToken ct) =>
            Results.Json((await s.ListPricesAsync(ct)).Select(Dto))).WithName("ListPrices");
        admin.MapPost("/tenants/{tenant}/credits", async (string tenant, HttpContext h, IBillingStore s, GatewayOptions o) =>
        {
            var f = await Body(h, o);
            await RequireTenant(s, tenant, h.RequestAborted);
            var amount = Money.FromDollars(Dollars(f, "amount_usd"));
            var entry = await s.PostCreditAsync(tenant, amount >= 0 ? LedgerKind.Grant : LedgerKind.Adjustment, amount, Actor, f.String("note"), h.RequestAborted);
            return Results.Json(new { id = entry.Id, tenant = entry.TenantId, amount_usd = Money.ToDollars(entry.Amount), balance_usd = Money.ToDollars(entry.BalanceAfter) }, statusCode: 201);
        }).WithName("GrantCredit");
        admin.MapGet("/tenants/{tenant}/balance", async (string tenant, IBillingStore s, CancellationToken ct) =>
        {
            await RequireTenant(s, tenant, ct);
            var b = await s.GetBalanceAsync(tenant, ct);
            return Results.Json(new { tenant, balance_usd = Money.ToDollars(b.Ledger), reserved_usd = Money.ToDollars(b.Reserved), available_usd = Money.ToDollars(b.Available) });
        }).WithName("Balance");
        admin.MapGet("/usage", async (HttpContext h, IBillingStore s, CancellationToken ct) =>
        {
            var q = h.Request.Query;
            var query = new UsageQuery
            {
                TenantId = q["tenant"].FirstOrDefault(), KeyId = q["key"].FirstOrDefault(), Model = q["model"].FirstOrDefault(),
                From = Date(q["from"].FirstOrDefault(), "from"), To = Date(q["to"].FirstOrDefault(), "to"),
                GroupBy = Grouping(q["group_by"].FirstOrDefault()),
            };
            return Results.Json((await s.QueryUsageAsync(query, ct)).Select(u => new
            {
                tenant = u.TenantId, key = u.KeyId, model = u.Model, day = u.Day?.ToString("yyyy-MM-dd"), requests = u.Requests,
                prompt_tokens = u.PromptTokens, completion_tokens = u.CompletionTokens, reasoning_tokens = u.ReasoningTokens,
                cost_usd = Money.ToDollars(u.Cost),
            }));
        }).WithName("Usage");
        admin.MapGet("/audit", async (HttpContext h, IBillingStore s, CancellationToken ct) =>
            Results.Json(await s.ListAuditAsync(new AuditQuery { TenantId = h.Request.Query["tenant"].FirstOrDefault() }, ct))).WithName("Audit");
        return app;
    }

    static void Authorize(HttpContext http)
    {
        var options = (GatewayOptions)http.RequestServices.GetService(typeof(GatewayOptions))!;
        if (options.AdminKey is null) throw ApiError.NotFound("The admin API is disabled (start the gateway with --admin-key).");
        var header = http.Request.Headers.Authorization.ToString();
        var given = header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header[7..].Trim() : "";
        if (!CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(given)), SHA256.HashData(Encoding.UTF8.GetBytes(options.AdminKey))))
            throw ApiError.Unauthorized("Invalid admin key.");
    }

    static async Task<JsonFields> Body(HttpContext h, GatewayOptions o)
    {
        var doc = await h.Request.ReadJsonAsync(o.MaxRequestBytes, h.RequestAborted);
        h.Response.RegisterForDispose(doc);
        return doc.RootElement.ValueKind == JsonValueKind.Object ? new JsonFields(doc.RootElement)
            : throw ApiError.BadRequest("The request body must be a JSON object.");
    }

    static async Task RequireTenant(IBillingStore s, string tenant, CancellationToken ct)
    {
        if (await s.GetTenantAsync(tenant, ct) is null) throw ApiError.NotFound($"No tenant '{tenant}'.");
    }

    static decimal Dollars(JsonFields f, string field)
    {
        var v = f.Get(field) ?? throw ApiError.BadRequest($"Missing required parameter: '{field}'.", field);
        if (v.ValueKind != JsonValueKind.Number || !v.TryGetDecimal(out var d)) throw ApiError.BadRequest($"'{field}' must be a number (US dollars).", field);
        try { Money.FromDollars(d); } catch (ArgumentException e) { throw ApiError.BadRequest($"'{field}': {e.Message}", field); }
        return d;
    }

    static DateOnly? Date(string? s, string field) => s is null ? null
        : DateOnly.TryParseExact(s, "yyyy-MM-dd", out var d) ? d : throw ApiError.BadRequest($"'{field}' must be a date like 2026-11-24.", field);

    static UsageGrouping Grouping(string? s)
    {
        var g = UsageGrouping.None;
        foreach (var part in (s ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            g |= part switch
            {
                "tenant" => UsageGrouping.Tenant, "key" => UsageGrouping.Key, "model" => UsageGrouping.Model, "day" => UsageGrouping.Day,
                _ => throw ApiError.BadRequest($"'group_by' accepts tenant, key, model, day; got '{part}'.", "group_by"),
            };
        return g;
    }

    static object Dto(Tenant t) => new { id = t.Id, name = t.Name, created_at = t.CreatedAt };
    static object Dto(ApiKeyInfo k) => new
    {
        id = k.Id, tenant = k.TenantId, name = k.Name, prefix = k.Prefix, created_at = k.CreatedAt, expires_at = k.ExpiresAt,
        revoked_at = k.RevokedAt, models = k.AllowedModels, rpm = k.RequestsPerMinute, tpm = k.TokensPerMinute,
    };
    static object Dto(Price p) => new { model = p.Model, input_per_million_usd = Money.ToDollars(p.InputPerMillion), output_per_million_usd = Money.ToDollars(p.OutputPerMillion) };
}
