using Avocado.Serving.Billing;

namespace Avocado.Serving.Tests.Billing;

/// <summary>
/// The behaviour every <see cref="IBillingStore"/> backend must have. Each test gets an empty database; a
/// second store opened on it plays a second gateway process (own connections, own pool, own write gate).
/// Time is a <see cref="ManualTimeProvider"/> shared by the test's stores.
/// </summary>
public abstract partial class BillingStoreContract : IAsyncLifetime
{
    protected const string Admin = "admin@test";
    protected const string ModelA = "avocado-1";
    protected const string ModelB = "avocado-1-mini";
    protected const long PerToken = 1_000_000; // × tokens per million: 1 nano-USD per token, so costs read as token counts

    protected readonly ManualTimeProvider Clock = new(new DateTimeOffset(2030, 1, 1, 12, 0, 0, TimeSpan.Zero));
    private readonly List<IBillingStore> _stores = [];
    private string? _database;

    /// <summary>A connection string to a new, empty database.</summary>
    protected abstract Task<string> NewDatabaseAsync();

    protected async Task<IBillingStore> OpenAsync()
    {
        _database ??= await NewDatabaseAsync();
        var store = await BillingStore.OpenAsync(_database, Clock);
        lock (_stores) _stores.Add(store);
        return store;
    }

    protected async Task<string> DatabaseAsync() => _database ??= await NewDatabaseAsync();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var store in _stores) await store.DisposeAsync();
    }

    protected static async Task<Tenant> TenantWithCreditAsync(IBillingStore store, long credit, string name = "acme")
    {
        var tenant = await store.CreateTenantAsync(name, Admin);
        if (credit > 0) await store.PostCreditAsync(tenant.Id, LedgerKind.Grant, credit, Admin, "prepaid");
        return tenant;
    }

    protected static async Task<ApiKeyInfo> KeyAsync(IBillingStore store, string tenantId, long? rpm = null, long? tpm = null, IReadOnlyList<string>? models = null) =>
        (await store.CreateApiKeyAsync(new NewApiKey(tenantId, "test key") { RequestsPerMinute = rpm, TokensPerMinute = tpm, AllowedModels = models }, Admin)).Key;

    /// <summary>Input 1 and output 2 nano-USD per token: a request's cost is prompt + 2 × completion.</summary>
    protected static Task PricesAsync(IBillingStore store) =>
        Task.WhenAll(store.SetPriceAsync(new Price(ModelA, PerToken, 2 * PerToken), Admin), store.SetPriceAsync(new Price(ModelB, 0, 0), Admin));

    protected static ReservationRequest Request(string requestId, ApiKeyInfo key, long prompt, long max, string model = ModelA, string? instance = null) =>
        new(requestId, key.Id, model, prompt, max) { InstanceId = instance };

    internal static SqlBillingStore Raw(IBillingStore store) => (SqlBillingStore)store;
}
