namespace Avocado.Serving.Billing;

/// <summary>An admin action: who (Actor), what (Action, e.g. "api_key.revoke", on Target), when, and details as JSON.</summary>
public sealed record AuditEntry(long Id, DateTimeOffset At, string Actor, string Action, string? TenantId, string? Target, string DetailsJson);

/// <summary>Newest first; filters optional.</summary>
public sealed record AuditQuery
{
    public string? TenantId { get; init; }
    public string? Action { get; init; }
    public int Limit { get; init; } = 100;
}
