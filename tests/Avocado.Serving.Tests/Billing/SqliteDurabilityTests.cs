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

    [Fact]
    public async Task A_failed_fsync_says_the_write_was_committed_and_stops_all_writing_until_restart()
    {
        var path = await databases.NewDatabaseAsync();
        string tenantId;
        await using (var store = await BillingStore.OpenAsync(path))
        {
            tenantId = (await store.CreateTenantAsync("acme", "admin")).Id;
            ((SqliteBillingStore)store).WalSync.BeforeSync = () => throw new IOException("EIO (played by the test)");

            var failed = await Assert.ThrowsAsync<IOException>(() => store.PostCreditAsync(tenantId, LedgerKind.Grant, 500, "admin"));
            Assert.Contains("committed: do not repeat them", failed.Message);
            // A retry would count the grant twice: every write is refused now, reads still work.
            await Assert.ThrowsAsync<IOException>(() => store.PostCreditAsync(tenantId, LedgerKind.Grant, 500, "admin"));
            await Assert.ThrowsAsync<IOException>(() => store.CreateTenantAsync("other", "admin"));
            Assert.Equal(500, (await store.GetBalanceAsync(tenantId)).Ledger);
        }
        await using (var reopened = await BillingStore.OpenAsync(path))
        {
            Assert.Equal(500, (await reopened.GetBalanceAsync(tenantId)).Ledger); // once, and durable
            await reopened.PostCreditAsync(tenantId, LedgerKind.Grant, 1, "admin");
            Assert.Equal(501, (await reopened.GetBalanceAsync(tenantId)).Ledger);
        }
    }
}
