using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Avocado.Serving.Billing;
using Avocado.Serving.Gateway.Protocol;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Avocado.Serving.Gateway;

/// <summary>/admin: tenants, keys, prices, credits, usage and audit, behind the admin key. Every change is written
/// to the audit log by the store, with the actor "admin-api". Handlers are named methods returning typed results
/// (snake_case DTOs, <see cref="AdminDtos"/>); a refusal is a result, not an exception.</summary>
public static class AdminApi
{
    const string Actor = "admin-api";

    public static IEndpointRouteBuilder MapAdminApi(this IEndpointRouteBuilder app)
    {
        var admin = app.MapGroup("/admin").AddEndpointFilter(async (context, next) =>
            Authorize(context.HttpContext) is { } denial ? new ApiKeyAuth.ErrorResult(denial) : await next(context));
        admin.MapPost("/tenants", CreateTenant).WithName("CreateTenant");
        admin.MapGet("/tenants", ListTenants).WithName("ListTenants");
        admin.MapPost("/tenants/{tenant}/keys", CreateKey).WithName("CreateKey");
        admin.MapGet("/tenants/{tenant}/keys", ListKeys).WithName("ListKeys");
        admin.MapPost("/keys/{key}/revoke", RevokeKey).WithName("RevokeKey");
        admin.MapPut("/prices/{model}", SetPrice).WithName("SetPrice");
        admin.MapGet("/prices", ListPrices).WithName("ListPrices");
        admin.MapPost("/tenants/{tenant}/credits", GrantCredit).WithName("GrantCredit");
        admin.MapGet("/tenants/{tenant}/balance", Balance).WithName("Balance");
        admin.MapGet("/usage", Usage).WithName("Usage");
        admin.MapGet("/audit", Audit).WithName("Audit");
        return app;
    }

    static async Task<JsonHttpResult<TenantDto>> CreateTenant(HttpContext h, IBillingStore s, GatewayOptions o)
    {
        var f = await Body(h, o);
        return Created(TenantDto.From(await s.CreateTenantAsync(f.RequiredString("name"), Actor, h.RequestAborted)));
    }

    static async Task<JsonHttpResult<TenantDto[]>> ListTenants(IBillingStore s, CancellationToken ct) =>
        Ok((await s.ListTenantsAsync(ct)).Select(TenantDto.From).ToArray());

    static async Task<Results<JsonHttpResult<CreatedKeyDto>, ApiKeyAuth.ErrorResult>> CreateKey(string tenant, HttpContext h, IBillingStore s, GatewayOptions o)
    {
        var f = await Body(h, o);
        if (await NoTenant(s, tenant, h.RequestAborted) is { } missing) return missing;
        var models = f.Array("models")?.EnumerateArray().Select(m => m.GetString() ?? "").ToArray();
        var created = await s.CreateApiKeyAsync(new NewApiKey(tenant, f.String("name") ?? "key")
        {
            AllowedModels = models,
            RequestsPerMinute = f.Integer("rpm", 1, long.MaxValue),
            TokensPerMinute = f.Integer("tpm", 1, long.MaxValue),
            ExpiresAt = f.String("expires_at") is { } e ? DateTimeOffset.Parse(e, System.Globalization.CultureInfo.InvariantCulture) : null,
        }, Actor, h.RequestAborted);
        return Created(new CreatedKeyDto(ApiKeyDto.From(created.Key), created.Secret));
    }

    static async Task<JsonHttpResult<ApiKeyDto[]>> ListKeys(string tenant, IBillingStore s, CancellationToken ct) =>
        Ok((await s.ListApiKeysAsync(tenant, ct)).Select(ApiKeyDto.From).ToArray());

    static async Task<Results<JsonHttpResult<RevokedDto>, ApiKeyAuth.ErrorResult>> RevokeKey(string key, IBillingStore s, CancellationToken ct) =>
        await s.RevokeApiKeyAsync(key, Actor, ct) ? Ok(new RevokedDto(key)) : new ApiKeyAuth.ErrorResult(ApiError.NotFound($"No active API key '{key}'."));

    static async Task<JsonHttpResult<PriceDto>> SetPrice(string model, HttpContext h, IBillingStore s, GatewayOptions o)
    {
        var f = await Body(h, o);
        var price = Price.FromDollars(model, Dollars(f, "input_per_million"), Dollars(f, "output_per_million"));
        await s.SetPriceAsync(price, Actor, h.RequestAborted);
        return Ok(PriceDto.From(price));
    }

    static async Task<JsonHttpResult<PriceDto[]>> ListPrices(IBillingStore s, CancellationToken ct) =>
        Ok((await s.ListPricesAsync(ct)).Select(PriceDto.From).ToArray());

    static async Task<Results<JsonHttpResult<CreditDto>, ApiKeyAuth.ErrorResult>> GrantCredit(string tenant, HttpContext h, IBillingStore s, GatewayOptions o)
    {
        var f = await Body(h, o);
        if (await NoTenant(s, tenant, h.RequestAborted) is { } missing) return missing;
        var amount = Money.FromDollars(Dollars(f, "amount_usd"));
        var entry = await s.PostCreditAsync(tenant, amount >= 0 ? LedgerKind.Grant : LedgerKind.Adjustment, amount, Actor, f.String("note"), h.RequestAborted);
        return Created(new CreditDto(entry.Id, entry.TenantId, Money.ToDollars(entry.Amount), Money.ToDollars(entry.BalanceAfter)));
    }

    static async Task<Results<JsonHttpResult<BalanceDto>, ApiKeyAuth.ErrorResult>> Balance(string tenant, IBillingStore s, CancellationToken ct)
    {
        if (await NoTenant(s, tenant, ct) is { } missing) return missing;
        var b = await s.GetBalanceAsync(tenant, ct);
        return Ok(new BalanceDto(tenant, Money.ToDollars(b.Ledger), Money.ToDollars(b.Reserved), Money.ToDollars(b.Available)));
    }

    static async Task<JsonHttpResult<UsageDto[]>> Usage(HttpContext h, IBillingStore s, CancellationToken ct)
    {
        var q = h.Request.Query;
        var query = new UsageQuery
        {
            TenantId = q["tenant"].FirstOrDefault(), KeyId = q["key"].FirstOrDefault(), Model = q["model"].FirstOrDefault(),
            From = Date(q["from"].FirstOrDefault(), "from"), To = Date(q["to"].FirstOrDefault(), "to"),
            GroupBy = Grouping(q["group_by"].FirstOrDefault()),
        };
        return Ok((await s.QueryUsageAsync(query, ct)).Select(UsageDto.From).ToArray());
    }

    static async Task<JsonHttpResult<AuditDto[]>> Audit(HttpContext h, IBillingStore s, CancellationToken ct) =>
        Ok((await s.ListAuditAsync(new AuditQuery { TenantId = h.Request.Query["tenant"].FirstOrDefault() }, ct)).Select(AuditDto.From).ToArray());

    static JsonHttpResult<T> Ok<T>(T value) => TypedResults.Json(value, AdminDtos.Json);
    static JsonHttpResult<T> Created<T>(T value) => TypedResults.Json(value, AdminDtos.Json, statusCode: 201);

    /// <summary>Null when the request carries the admin key; otherwise why not (404 while the admin API is off).</summary>
    static ApiError? Authorize(HttpContext http)
    {
        var options = http.RequestServices.GetRequiredService<GatewayOptions>();
        if (options.AdminKey is null) return ApiError.NotFound("The admin API is disabled (start the gateway with --admin-key).");
        var header = http.Request.Headers.Authorization.ToString();
        var given = header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header[7..].Trim() : "";
        // Hashes of equal length, compared in constant time: the comparison says nothing about the key's prefix.
        return CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(given)), SHA256.HashData(Encoding.UTF8.GetBytes(options.AdminKey)))
            ? null : ApiError.Unauthorized("Invalid admin key.");
    }

    static async Task<JsonFields> Body(HttpContext h, GatewayOptions o)
    {
        var doc = await h.Request.ReadJsonAsync(o.MaxRequestBytes, h.RequestAborted);
        h.Response.RegisterForDispose(doc);
        return doc.RootElement.ValueKind == JsonValueKind.Object ? new JsonFields(doc.RootElement)
            : throw ApiError.BadRequest("The request body must be a JSON object.");
    }

    static async Task<ApiKeyAuth.ErrorResult?> NoTenant(IBillingStore s, string tenant, CancellationToken ct) =>
        await s.GetTenantAsync(tenant, ct) is null ? new ApiKeyAuth.ErrorResult(ApiError.NotFound($"No tenant '{tenant}'.")) : null;

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
}
