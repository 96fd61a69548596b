using Avocado.Serving.Billing;

namespace Avocado.Serving.Tests.Billing;

public abstract partial class BillingStoreContract
{
    [Fact]
    public async Task Schema_is_created_once_even_by_concurrent_opens_and_newer_schemas_are_refused()
    {
        string database = await DatabaseAsync();
        var opened = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => Task.Run(OpenAsync)));
        var tenant = await opened[0].CreateTenantAsync("persisted", Admin);
        Assert.Equal(tenant, await opened[2].GetTenantAsync(tenant.Id));
        Assert.Equal(["1"], await Raw(opened[1]).ReadColumnAsync("schema_version", "version"));

        var reopened = await OpenAsync(); // already current: nothing to do, nothing lost
        Assert.Equal(tenant, await reopened.GetTenantAsync(tenant.Id));

        await Raw(reopened).ExecuteRawAsync("INSERT INTO schema_version (version, description, applied_at) VALUES (99, 'from the future', 0)");
        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => BillingStore.OpenAsync(database, Clock));
        Assert.Contains("newer", e.Message);
    }
}
