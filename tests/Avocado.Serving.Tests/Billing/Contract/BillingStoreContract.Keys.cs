using System.Security.Cryptography;
using System.Text;
using Avocado.Serving.Billing;

namespace Avocado.Serving.Tests.Billing;

public abstract partial class BillingStoreContract
{
    [Fact]
    public async Task Created_key_secret_is_shown_once_and_stored_only_as_its_hash()
    {
        var store = await OpenAsync();
        var tenant = await TenantWithCreditAsync(store, 0);
        var created = await store.CreateApiKeyAsync(new NewApiKey(tenant.Id, "prod"), Admin);
        var other = await store.CreateApiKeyAsync(new NewApiKey(tenant.Id, "dev"), Admin);

        Assert.Matches("^avo-[A-Za-z0-9_-]{43}$", created.Secret);
        Assert.NotEqual(created.Secret, other.Secret);
        Assert.Equal(created.Secret[..12], created.Key.Prefix);
        Assert.DoesNotContain(created.Secret, created.ToString());

        var auth = await store.AuthenticateAsync(created.Secret);
        Assert.Equal(AuthStatus.Valid, auth.Status);
        Assert.Equal(created.Key.Id, auth.Key!.Id);
        Assert.Equal(tenant.Id, auth.Key.TenantId);

        string hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(created.Secret)));
        Assert.Contains(hash, await Raw(store).ReadColumnAsync("api_keys", "secret_sha256"));
        foreach (var (table, column) in new[] { ("api_keys", "id"), ("api_keys", "name"), ("api_keys", "secret_sha256"), ("api_keys", "prefix"), ("audit_log", "details"), ("audit_log", "target") })
            foreach (var value in await Raw(store).ReadColumnAsync(table, column))
                Assert.DoesNotContain(created.Secret[4..], value ?? "");
    }

    [Fact]
    public async Task Authentication_rejects_malformed_unknown_expired_and_revoked_keys()
    {
        var store = await OpenAsync();
        var tenant = await TenantWithCreditAsync(store, 1_000_000);
        await PricesAsync(store);
        var created = await store.CreateApiKeyAsync(new NewApiKey(tenant.Id, "temp") { ExpiresAt = Clock.GetUtcNow().AddHours(1) }, Admin);

        Assert.Equal(AuthStatus.Malformed, (await store.AuthenticateAsync("sk-not-ours")).Status);
        Assert.Equal(AuthStatus.Malformed, (await store.AuthenticateAsync("avo-short")).Status);
        Assert.Equal(AuthStatus.Unknown, (await store.AuthenticateAsync("avo-" + new string('x', 43))).Status);
        Assert.Equal(AuthStatus.Valid, (await store.AuthenticateAsync(created.Secret)).Status);

        Clock.Advance(TimeSpan.FromHours(1));
        var expired = await store.AuthenticateAsync(created.Secret);
        Assert.Equal(AuthStatus.Expired, expired.Status);
        Assert.False(expired.IsValid);
        Assert.Equal(ReserveStatus.KeyInvalid, (await store.ReserveAsync(Request("r-expired", created.Key, 1, 1))).Status);

        var second = await store.CreateApiKeyAsync(new NewApiKey(tenant.Id, "second"), Admin);
        Assert.True(await store.RevokeApiKeyAsync(second.Key.Id, Admin));
        Assert.False(await store.RevokeApiKeyAsync(second.Key.Id, Admin));
        Assert.False(await store.RevokeApiKeyAsync("key_missing", Admin));
        var revoked = await store.AuthenticateAsync(second.Secret);
        Assert.Equal(AuthStatus.Revoked, revoked.Status);
        Assert.Equal(Clock.GetUtcNow(), revoked.Key!.RevokedAt);
        Assert.Equal(ReserveStatus.KeyInvalid, (await store.ReserveAsync(Request("r-revoked", second.Key, 1, 1))).Status);
    }

    [Fact]
    public async Task Model_allow_list_limits_what_a_key_may_call()
    {
        var store = await OpenAsync();
        var tenant = await TenantWithCreditAsync(store, 1_000_000);
        await PricesAsync(store);
        var narrow = await KeyAsync(store, tenant.Id, models: [ModelA]);
        var open = await KeyAsync(store, tenant.Id);

        Assert.Equal([ModelA], narrow.AllowedModels);
        Assert.True(narrow.Allows(ModelA));
        Assert.False(narrow.Allows(ModelB));
        Assert.Null(open.AllowedModels);
        Assert.Equal(ReserveStatus.ModelNotAllowed, (await store.ReserveAsync(Request("r1", narrow, 10, 10, ModelB))).Status);
        Assert.Equal(ReserveStatus.Reserved, (await store.ReserveAsync(Request("r2", narrow, 10, 10, ModelA))).Status);
        Assert.Equal(ReserveStatus.Reserved, (await store.ReserveAsync(Request("r3", open, 10, 10, ModelB))).Status);
        await Assert.ThrowsAsync<ArgumentException>(() => store.CreateApiKeyAsync(new NewApiKey(tenant.Id, "none") { AllowedModels = [] }, Admin));
    }

    [Fact]
    public async Task Keys_are_listed_and_fetched_with_their_settings_but_no_secret()
    {
        var store = await OpenAsync();
        var tenant = await TenantWithCreditAsync(store, 0);
        var expires = Clock.GetUtcNow().AddDays(30);
        var a = await store.CreateApiKeyAsync(new NewApiKey(tenant.Id, "a") { ExpiresAt = expires, RequestsPerMinute = 60, TokensPerMinute = 10_000 }, Admin);
        Clock.Advance(TimeSpan.FromSeconds(1));
        var b = await store.CreateApiKeyAsync(new NewApiKey(tenant.Id, "b"), Admin);

        var listed = await store.ListApiKeysAsync(tenant.Id);
        Assert.Equal([a.Key.Id, b.Key.Id], listed.Select(k => k.Id));
        var fetched = (await store.GetApiKeyAsync(a.Key.Id))!;
        Assert.Equal(("a", expires, 60L, 10_000L), (fetched.Name, fetched.ExpiresAt!.Value, fetched.RequestsPerMinute!.Value, fetched.TokensPerMinute!.Value));
        Assert.True(fetched.IsActiveAt(Clock.GetUtcNow()));
        Assert.Null(await store.GetApiKeyAsync("key_missing"));
        Assert.Equal(tenant, await store.GetTenantAsync(tenant.Id));
        Assert.Contains(tenant, await store.ListTenantsAsync());
        await Assert.ThrowsAsync<ArgumentException>(() => store.CreateApiKeyAsync(new NewApiKey("ten_missing", "x"), Admin));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => store.CreateApiKeyAsync(new NewApiKey(tenant.Id, "x") { RequestsPerMinute = 0 }, Admin));
    }
}
