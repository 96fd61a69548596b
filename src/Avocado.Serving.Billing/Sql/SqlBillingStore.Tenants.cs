namespace Avocado.Serving.Billing;

internal abstract partial class SqlBillingStore
{
    public Task<Tenant> CreateTenantAsync(string name, string actor, CancellationToken ct = default)
    {
        RequireText(name, nameof(name));
        RequireText(actor, nameof(actor));
        return WriteAsync(async db =>
        {
            long now = Now();
            var tenant = new Tenant(ApiKeySecrets.NewId("ten_"), name, Rows.Time(now));
            await db.Sql("INSERT INTO tenants (id, name, created_at) VALUES (@id, @name, @at)")
                .Arg("id", tenant.Id).Arg("name", name).Arg("at", now).ExecuteAsync(ct);
            await AuditAsync(db, actor, "tenant.create", tenant.Id, tenant.Id, new { name }, now, ct);
            return tenant;
        }, ct);
    }

    public Task<Tenant?> GetTenantAsync(string tenantId, CancellationToken ct = default) =>
        ReadAsync(db => db.Sql($"SELECT {Rows.TenantColumns} FROM tenants WHERE id = @id").Arg("id", tenantId).SingleAsync(Rows.Tenant, ct), ct);

    public async Task<IReadOnlyList<Tenant>> ListTenantsAsync(CancellationToken ct = default) =>
        await ReadAsync(db => db.Sql($"SELECT {Rows.TenantColumns} FROM tenants ORDER BY created_at, id").ListAsync(Rows.Tenant, ct), ct);
}
