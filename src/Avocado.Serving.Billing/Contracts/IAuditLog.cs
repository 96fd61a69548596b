namespace Avocado.Serving.Billing;

public interface IAuditLog
{
    /// <summary>Records an admin action the store does not perform itself (the store audits its own).</summary>
    Task<AuditEntry> AppendAuditAsync(string actor, string action, string? tenantId, string? target, string detailsJson, CancellationToken ct = default);

    Task<IReadOnlyList<AuditEntry>> ListAuditAsync(AuditQuery query, CancellationToken ct = default);
}
