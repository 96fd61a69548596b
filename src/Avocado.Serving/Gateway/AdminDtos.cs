using System.Text.Json;
using System.Text.Json.Nodes;
using Avocado.Serving.Billing;

namespace Avocado.Serving.Gateway;

/// <summary>What the admin API answers, field for field (snake_case on the wire).</summary>
public static class AdminDtos
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };
}

public sealed record TenantDto(string Id, string Name, DateTimeOffset CreatedAt)
{
    public static TenantDto From(Tenant t) => new(t.Id, t.Name, t.CreatedAt);
}

public sealed record ApiKeyDto(string Id, string Tenant, string Name, string Prefix, DateTimeOffset CreatedAt, DateTimeOffset? ExpiresAt,
    DateTimeOffset? RevokedAt, IReadOnlyList<string>? Models, long? Rpm, long? Tpm)
{
    public static ApiKeyDto From(ApiKeyInfo k) =>
        new(k.Id, k.TenantId, k.Name, k.Prefix, k.CreatedAt, k.ExpiresAt, k.RevokedAt, k.AllowedModels, k.RequestsPerMinute, k.TokensPerMinute);
}

/// <summary>A new key with its secret, shown once.</summary>
public sealed record CreatedKeyDto(ApiKeyDto Key, string Secret);

public sealed record RevokedDto(string Revoked);

public sealed record PriceDto(string Model, decimal InputPerMillionUsd, decimal OutputPerMillionUsd)
{
    public static PriceDto From(Price p) => new(p.Model, Money.ToDollars(p.InputPerMillion), Money.ToDollars(p.OutputPerMillion));
}

public sealed record CreditDto(long Id, string Tenant, decimal AmountUsd, decimal BalanceUsd);

public sealed record BalanceDto(string Tenant, decimal BalanceUsd, decimal ReservedUsd, decimal AvailableUsd);

public sealed record UsageDto(string? Tenant, string? Key, string? Model, string? Day, long Requests, long PromptTokens, long CompletionTokens,
    long ReasoningTokens, decimal CostUsd)
{
    public static UsageDto From(UsageSummary u) => new(u.TenantId, u.KeyId, u.Model, u.Day?.ToString("yyyy-MM-dd"), u.Requests, u.PromptTokens,
        u.CompletionTokens, u.ReasoningTokens, Money.ToDollars(u.Cost));
}

/// <summary>An audit entry; its details as the JSON object they are, not a string holding JSON.</summary>
public sealed record AuditDto(long Id, DateTimeOffset At, string Actor, string Action, string? Tenant, string? Target, JsonNode? Details)
{
    public static AuditDto From(AuditEntry e) => new(e.Id, e.At, e.Actor, e.Action, e.TenantId, e.Target, JsonNode.Parse(e.DetailsJson));
}
