using System.Text.Json;

namespace Avocado.Serving.Billing;

internal abstract partial class SqlBillingStore
{
    public Task<AuditEntry> AppendAuditAsync(string actor, string action, string? tenantId, string? target, string detailsJson, CancellationToken ct = default)
    {
        RequireText(actor, nameof(actor));
        RequireText(action, nameof(action));
        ArgumentNullException.ThrowIfNull(detailsJson);
        try { using var _ = JsonDocument.Parse(detailsJson); }
        catch (JsonException e) { throw new ArgumentException($"detailsJson is not valid JSON: {e.Message}", nameof(detailsJson), e); }
        return WriteAsync(db => AuditAsync(db, actor, action, tenantId, target, detailsJson, Now(), ct), ct);
    }

    public async Task<IReadOnlyList<AuditEntry>> ListAuditAsync(AuditQuery query, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        if (query.Limit is < 1 or > 10_000) throw new ArgumentOutOfRangeException(nameof(query), query.Limit, "AuditQuery.Limit must be 1..10000");
        string where = (query.TenantId, query.Action) switch
        {
            (null, null) => "",
            (not null, null) => "WHERE tenant_id = @t",
            (null, not null) => "WHERE action = @a",
            _ => "WHERE tenant_id = @t AND action = @a",
        };
        return await ReadAsync(db =>
        {
            var s = db.Sql($"SELECT {Rows.AuditColumns} FROM audit_log {where} ORDER BY id DESC LIMIT @n").Arg("n", query.Limit);
            if (query.TenantId is not null) s = s.Arg("t", query.TenantId);
            if (query.Action is not null) s = s.Arg("a", query.Action);
            return s.ListAsync(Rows.Audit, ct);
        }, ct);
    }
}
