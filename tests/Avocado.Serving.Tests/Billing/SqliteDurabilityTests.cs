using Avocado.Serving.Billing;

namespace Avocado.Serving.Tests.Billing;

/// <summary>
/// Which SQLite commits wait for the disk: a reservation is answered at COMMIT (a process crash cannot lose it; see
/// <see cref="Durability"/>), anything that moves money only after a WAL fsync that follows its commit — one fsync
/// may answer several commits, never the other way round.
/// </summary>
public sealed class SqliteDurabilityTests(SqliteDatabases databases) : IClassFixture<SqliteDatabases>
{
    [Fact]
    public async Task Reservations_commit_without_fsync_and_money_moves_wait_for_one()
    {
        await using var store = await BillingStore.OpenAsync(await databases.NewDatabaseAsync());
        var sqlite = (SqliteBillingStore)store;
        var tenant = await store.CreateTenantAsync("acme", "admin");
        await store.PostCreditAsync(tenant.Id, LedgerKind.Grant, 1_000_000, "admin");
        await store.SetPriceAsync(new Price("m", 1_000_000, 1_000_000), "admin");
        var key = (await store.CreateApiKeyAsync(new NewApiKey(tenant.Id, "k"), "admin")).Key;

        var before = sqlite.Durable;
        Assert.True((await store.ReserveAsync(new ReservationRequest("r1", key.Id, "m", 10, 10))).Succeeded);
        Assert.Equal((before.Commits + 1, before.Syncs), sqlite.Durable);

        await store.SettleAsync("r1", new TokenUsage(10, 5));
        Assert.Equal((before.Commits + 2, before.Syncs + 1), sqlite.Durable);

        await store.PostCreditAsync(tenant.Id, LedgerKind.Grant, 1, "admin");
        Assert.Equal((before.Commits + 3, before.Syncs + 2), sqlite.Durable);

        // Many at once: reservations alone never sync; settlements do, sharing fsyncs.
        var ids = Enumerable.Range(0, 40).Select(i => $"p{i}").ToArray();
        await Task.WhenAll(ids.Select(id => store.ReserveAsync(new ReservationRequest(id, key.Id, "m", 1, 1))));
        var afterReserves = sqlite.Durable;
        Assert.Equal(before.Syncs + 2, afterReserves.Syncs);
        await Task.WhenAll(ids.Select((id, i) => i % 2 == 0
            ? (Task)store.SettleAsync(id, new TokenUsage(1, 1))
            : store.ReserveAsync(new ReservationRequest("q" + id, key.Id, "m", 1, 1))));
        var after = sqlite.Durable;
        Assert.InRange(after.Syncs - afterReserves.Syncs, 1, 20);
        Assert.InRange(after.Syncs - afterReserves.Syncs, 1, after.Commits - afterReserves.Commits);
        Assert.Equal(21, (await store.QueryUsageAsync(new UsageQuery { TenantId = tenant.Id })).Sum(u => u.Requests));
    }
}
