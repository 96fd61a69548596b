using System.Text.Json;
using Avocado.Serving.Billing;

namespace Avocado.Serving.Tests.Billing;

public abstract partial class BillingStoreContract
{
    [Fact]
    public async Task Admin_actions_are_audited_with_who_what_when_and_details()
    {
        var store = await OpenAsync();
        var tenant = await TenantWithCreditAsync(store, 5_000);
        Clock.Advance(TimeSpan.FromMinutes(1));
        var key = await store.CreateApiKeyAsync(new NewApiKey(tenant.Id, "ci") { TokensPerMinute = 1000 }, "alice");
        await store.RevokeApiKeyAsync(key.Key.Id, "bob");
        await store.SetPriceAsync(new Price(ModelA, 5, 7), "carol");
        await store.AppendAuditAsync("ops@x", "tenant.suspend", tenant.Id, tenant.Id, """{"reason":"chargeback"}""");

        var entries = await store.ListAuditAsync(new AuditQuery { TenantId = tenant.Id });
        Assert.Equal(["tenant.suspend", "api_key.revoke", "api_key.create", "credit.grant", "tenant.create"], entries.Select(e => e.Action));
        Assert.Equal(["ops@x", "bob", "alice", Admin, Admin], entries.Select(e => e.Actor));
        Assert.Equal(Clock.GetUtcNow(), entries[0].At);
        Assert.Equal(Clock.GetUtcNow().AddMinutes(-1), entries[^1].At);
        Assert.Equal(key.Key.Id, entries[2].Target);
        using (var created = JsonDocument.Parse(entries[2].DetailsJson))
        {
            Assert.Equal(1000, created.RootElement.GetProperty("tokens_per_minute").GetInt64());
            Assert.Equal(key.Key.Prefix, created.RootElement.GetProperty("prefix").GetString());
        }
        using (var grant = JsonDocument.Parse(entries[3].DetailsJson))
            Assert.Equal(5_000, grant.RootElement.GetProperty("amount").GetInt64());
        Assert.All(entries, e => Assert.DoesNotContain(key.Secret, e.DetailsJson));

        var price = (await store.ListAuditAsync(new AuditQuery { Action = "price.set" })).Single();
        Assert.Equal(("carol", ModelA, (string?)null), (price.Actor, price.Target, price.TenantId));
        Assert.Equal(2, (await store.ListAuditAsync(new AuditQuery { Limit = 2 })).Count);
        await Assert.ThrowsAsync<ArgumentException>(() => store.AppendAuditAsync("ops@x", "x", null, null, "{not json"));
    }
}
