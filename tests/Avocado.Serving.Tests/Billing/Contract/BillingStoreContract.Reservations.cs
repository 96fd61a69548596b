using Avocado.Serving.Billing;

namespace Avocado.Serving.Tests.Billing;

public abstract partial class BillingStoreContract
{
    [Fact]
    public async Task Reservation_holds_the_maximum_cost_and_settlement_charges_the_actual_usage()
    {
        var store = await OpenAsync();
        var tenant = await TenantWithCreditAsync(store, 1000);
        await PricesAsync(store);
        var key = await KeyAsync(store, tenant.Id);

        var reserved = await store.ReserveAsync(Request("req-1", key, prompt: 100, max: 200));
        Assert.Equal(ReserveStatus.Reserved, reserved.Status);
        Assert.True(reserved.Succeeded);
        Assert.Equal(100 + 2 * 200, reserved.Reservation!.Amount);
        Assert.Equal(new Balance(tenant.Id, 1000, 500), reserved.Balance);
        Assert.Equal(new Balance(tenant.Id, 1000, 500), await store.GetBalanceAsync(tenant.Id));
        Assert.Equal(500, (await store.GetBalanceAsync(tenant.Id)).Available);

        // A price change does not reprice a request in flight.
        await store.SetPriceAsync(new Price(ModelA, 50 * PerToken, 50 * PerToken), Admin);
        Assert.True(await store.CheckpointAsync("req-1", 40, 10));
        var settled = await store.SettleAsync("req-1", new TokenUsage(100, 60, ReasoningTokens: 20));

        Assert.Equal(CloseStatus.Settled, settled.Status);
        Assert.Equal(100 + 2 * 60, settled.Charged);
        Assert.Equal(new Balance(tenant.Id, 1000 - 220, 0), settled.Balance);
        Assert.Equal(ReservationState.Settled, (await store.GetReservationAsync("req-1"))!.State);
        var usage = (await store.GetUsageAsync("req-1"))!;
        Assert.Equal((100L, 60L, 20L, 220L, false, key.Id, ModelA), (usage.PromptTokens, usage.CompletionTokens, usage.ReasoningTokens, usage.Cost, usage.Recovered, usage.KeyId, usage.Model));
        var charge = (await store.ListLedgerAsync(tenant.Id)).Last();
        Assert.Equal((LedgerKind.Charge, -220L, "req-1", 780L), (charge.Kind, charge.Amount, charge.RequestId, charge.BalanceAfter));
        Assert.False(await store.CheckpointAsync("req-1", 100));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => store.SettleAsync("req-x", new TokenUsage(1, 1, ReasoningTokens: 2)));
    }

    [Fact]
    public async Task Release_returns_the_hold_without_a_charge()
    {
        var store = await OpenAsync();
        var tenant = await TenantWithCreditAsync(store, 1000);
        await PricesAsync(store);
        var key = await KeyAsync(store, tenant.Id);
        await store.ReserveAsync(Request("req-1", key, 100, 100));

        var released = await store.ReleaseAsync("req-1");
        Assert.Equal(CloseStatus.Released, released.Status);
        Assert.Equal(0, released.Charged);
        Assert.Equal(new Balance(tenant.Id, 1000, 0), await store.GetBalanceAsync(tenant.Id));
        Assert.Null(await store.GetUsageAsync("req-1"));
        Assert.Single(await store.ListLedgerAsync(tenant.Id));
        Assert.Equal(CloseStatus.AlreadyReleased, (await store.ReleaseAsync("req-1")).Status);
        Assert.Equal(CloseStatus.AlreadyReleased, (await store.SettleAsync("req-1", new TokenUsage(100, 100))).Status);
        Assert.Single(await store.ListLedgerAsync(tenant.Id));
    }

    [Fact]
    public async Task Credit_denial_says_whether_retrying_can_help()
    {
        var store = await OpenAsync();
        var tenant = await TenantWithCreditAsync(store, 300);
        await PricesAsync(store);
        var key = await KeyAsync(store, tenant.Id, rpm: 100);

        Assert.Equal(ReserveStatus.Reserved, (await store.ReserveAsync(Request("a", key, 100, 50))).Status); // 200
        var held = await store.ReserveAsync(Request("b", key, 100, 50));
        Assert.Equal(ReserveStatus.InsufficientCredit, held.Status);
        Assert.True(held.ShouldRetry); // the balance covers it once "a" settles
        Assert.True(held.RetryAfter > TimeSpan.Zero);
        Assert.Equal(new Balance(tenant.Id, 300, 200), held.Balance);
        Assert.Equal(99, held.Rate!.Requests.Remaining); // the denied request consumed no rate limit either

        var exhausted = await store.ReserveAsync(Request("c", key, 100, 500));
        Assert.Equal(ReserveStatus.InsufficientCredit, exhausted.Status);
        Assert.False(exhausted.ShouldRetry); // more than the whole balance: retrying cannot help
        Assert.Null(await store.GetReservationAsync("b"));
        Assert.Equal(ReserveStatus.Reserved, (await store.ReserveAsync(Request("d", key, 0, 50))).Status); // exactly the 100 left
        Assert.Equal(0, (await store.GetBalanceAsync(tenant.Id)).Available);
    }

    [Fact]
    public async Task Reservation_refuses_unpriced_models_and_unregistered_instances()
    {
        var store = await OpenAsync();
        var tenant = await TenantWithCreditAsync(store, 1000);
        await PricesAsync(store);
        var key = await KeyAsync(store, tenant.Id);

        Assert.Equal(ReserveStatus.UnknownModel, (await store.ReserveAsync(Request("r1", key, 1, 1, model: "gpt-unknown"))).Status);
        await Assert.ThrowsAsync<InvalidOperationException>(() => store.ReserveAsync(Request("r2", key, 1, 1, instance: "gw-ghost")));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => store.ReserveAsync(Request("r3", key, -1, 1)));
        await store.RegisterInstanceAsync("gw-1");
        var ok = await store.ReserveAsync(Request("r4", key, 1, 1, instance: "gw-1"));
        Assert.Equal("gw-1", ok.Reservation!.InstanceId);
        Assert.Equal(3, (await store.GetBalanceAsync(tenant.Id)).Reserved);
    }

    [Fact]
    public async Task Settling_or_replaying_a_request_id_never_bills_twice()
    {
        var gateway1 = await OpenAsync();
        var gateway2 = await OpenAsync();
        var tenant = await TenantWithCreditAsync(gateway1, 10_000);
        await PricesAsync(gateway1);
        var key = await KeyAsync(gateway1, tenant.Id);

        await gateway1.ReserveAsync(Request("req-1", key, 100, 100));
        var first = await gateway1.SettleAsync("req-1", new TokenUsage(100, 50));
        var again = await gateway2.SettleAsync("req-1", new TokenUsage(100, 99));
        Assert.Equal(CloseStatus.Settled, first.Status);
        Assert.Equal(CloseStatus.AlreadySettled, again.Status);
        Assert.Equal(0, again.Charged);
        Assert.Equal(first.Usage, again.Usage);
        Assert.Equal(CloseStatus.AlreadySettled, (await gateway2.ReleaseAsync("req-1")).Status);

        // A replayed request: the reservation is found, not made again, and settling it again bills nothing.
        var replay = await gateway2.ReserveAsync(Request("req-1", key, 100, 100));
        Assert.Equal(ReserveStatus.Duplicate, replay.Status);
        Assert.Equal(ReservationState.Settled, replay.Reservation!.State);
        Assert.Equal(CloseStatus.AlreadySettled, (await gateway2.SettleAsync("req-1", new TokenUsage(100, 50))).Status);
        Assert.Equal(CloseStatus.NotFound, (await gateway2.SettleAsync("req-unknown", new TokenUsage(1, 1))).Status);

        // Many settles of one request racing in two processes: exactly one bills.
        await gateway1.ReserveAsync(Request("req-2", key, 10, 10));
        var racing = await Task.WhenAll(Enumerable.Range(0, 12).Select(i =>
            Task.Run(() => (i % 2 == 0 ? gateway1 : gateway2).SettleAsync("req-2", new TokenUsage(10, 10)))));
        Assert.Single(racing, r => r.Status == CloseStatus.Settled);
        Assert.All(racing, r => Assert.True(r.Status is CloseStatus.Settled or CloseStatus.AlreadySettled));

        var ledger = await gateway1.ListLedgerAsync(tenant.Id);
        Assert.Equal(2, ledger.Count(e => e.Kind == LedgerKind.Charge));
        Assert.Equal(10_000 - 200 - 30, (await gateway2.GetBalanceAsync(tenant.Id)).Ledger);
        var usage = (await gateway1.QueryUsageAsync(new UsageQuery { TenantId = tenant.Id })).Single();
        Assert.Equal((2L, 230L), (usage.Requests, usage.Cost));
    }
}
