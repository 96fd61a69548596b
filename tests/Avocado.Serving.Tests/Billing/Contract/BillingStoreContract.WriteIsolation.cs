using Avocado.Serving.Billing;

namespace Avocado.Serving.Tests.Billing;

public abstract partial class BillingStoreContract
{
    // SQLite commits concurrent writes in groups (one transaction, a savepoint each): these hold on every backend.

    [Fact]
    public async Task A_failing_write_among_concurrent_ones_rolls_back_only_itself()
    {
        var store = await OpenAsync();
        var tenant = await TenantWithCreditAsync(store, 1_000_000);
        await PricesAsync(store);
        var key = await KeyAsync(store, tenant.Id, rpm: 1000, tpm: 1_000_000);
        var ledgerBefore = await store.ListLedgerAsync(tenant.Id);

        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var reservations = Enumerable.Range(0, 30).Select(i => Task.Run(async () =>
        {
            await start.Task;
            return await store.ReserveAsync(Request($"req-{i}", key, 10, 20));
        })).ToList();
        var failures = Enumerable.Range(0, 5).Select(_ => Task.Run(async () =>
        {
            await start.Task;
            // Refused by the append-only trigger after the write began: it must undo only itself.
            await Raw(store).ExecuteRawAsync("UPDATE ledger SET amount = amount + 1");
        })).ToList();
        var unregistered = Task.Run(async () =>
        {
            await start.Task;
            return await store.ReserveAsync(Request("req-bad-instance", key, 10, 20, instance: "never-registered"));
        });
        start.SetResult();

        var results = await Task.WhenAll(reservations);
        foreach (var f in failures) await Assert.ThrowsAnyAsync<Exception>(() => f);
        await Assert.ThrowsAsync<InvalidOperationException>(() => unregistered);

        Assert.All(results, r => Assert.Equal(ReserveStatus.Reserved, r.Status));
        Assert.Equal(new Balance(tenant.Id, 1_000_000, 30 * 50), await store.GetBalanceAsync(tenant.Id));
        Assert.Equal(ledgerBefore, await store.ListLedgerAsync(tenant.Id));
        Assert.Null(await store.GetReservationAsync("req-bad-instance"));
        var window = (await store.AcquireAsync(key.Id, 0)).Requests;
        Assert.Equal(1000 - 31, window.Remaining); // 30 reservations and this call counted; nothing from the failures

        var settled = await Task.WhenAll(Enumerable.Range(0, 30).Select(i => Task.Run(() => store.SettleAsync($"req-{i}", new TokenUsage(10, 5)))));
        Assert.All(settled, s => Assert.Equal(CloseStatus.Settled, s.Status));
        Assert.Equal(new Balance(tenant.Id, 1_000_000 - 30 * 20, 0), await store.GetBalanceAsync(tenant.Id));
        var ledger = await store.ListLedgerAsync(tenant.Id);
        Assert.Equal(ledger.Sum(e => e.Amount), ledger[^1].BalanceAfter);
    }

    [Fact]
    public async Task A_write_cancelled_before_it_runs_changes_nothing()
    {
        var store = await OpenAsync();
        var tenant = await TenantWithCreditAsync(store, 1_000);
        await PricesAsync(store);
        var key = await KeyAsync(store, tenant.Id);
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => store.ReserveAsync(Request("req-1", key, 10, 20), cancelled.Token));

        Assert.Null(await store.GetReservationAsync("req-1"));
        Assert.Equal(new Balance(tenant.Id, 1_000, 0), await store.GetBalanceAsync(tenant.Id));
        Assert.Equal(CloseStatus.NotFound, (await store.SettleAsync("req-1", new TokenUsage(10, 5))).Status);
    }
}
