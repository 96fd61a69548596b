namespace Avocado.Serving.Billing;

public interface ITenantStore
{
    /// <summary>Creates a tenant with a generated id ("ten_…"); audited as tenant.create.</summary>
    Task<Tenant> CreateTenantAsync(string name, string actor, CancellationToken ct = default);

    Task<Tenant?> GetTenantAsync(string tenantId, CancellationToken ct = default);

    Task<IReadOnlyList<Tenant>> ListTenantsAsync(CancellationToken ct = default);
}
