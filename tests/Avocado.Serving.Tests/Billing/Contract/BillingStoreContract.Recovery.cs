using Avocado.Serving.Billing;

namespace Avocado.Serving.Tests.Billing;

public abstract partial class BillingStoreContract
{
    private static readonly RecoveryOptions Recovery = new() { InstanceTimeout = TimeSpan.FromMinutes(2), MaxIdle = TimeSpan.FromMinutes(15) };

    [Fact]
    public async Task Recovery_bills_checkpointed_progress_of_a_dead_gateway_and_releases_the_rest()
    {
        var gatewayA = await OpenAsync();
        var gatewayB = await OpenAsync();
        var gatewayC = await OpenAsync();
        var tenant = await TenantWithCreditAsync(gatewayA, 10_000);
        await PricesAsync(gatewayA);
        var key = await KeyAsync(gatewayA, tenant.Id);
        await gatewayA.RegisterInstanceAsync("gw-a");
        await gatewayB.RegisterInstanceAsync("gw-b");

        await gatewayA.ReserveAsync(Request("streamed", key, 100, 200, instance: "gw-a"));
        Assert.True(await gatewayA.CheckpointAsync("streamed", 40, 10));
        Assert.True(await gatewayA.CheckpointAsync("streamed", 30)); // late, lower counts never lower the progress
        await gatewayA.ReserveAsync(Request("never-started", key, 50, 50, instance: "gw-a"));
        await gatewayB.ReserveAsync(Request("alive", key, 10, 10, instance: "gw-b"));

        Clock.Advance(TimeSpan.FromMinutes(3)); // gw-a crashed; gw-b keeps beating
        await gatewayB.HeartbeatAsync("gw-b");
        var reports = await Task.WhenAll(gatewayB.RecoverAsync(Recovery), gatewayC.RecoverAsync(Recovery)); // two start-ups at once
        var items = reports.SelectMany(r => r.Items).OrderBy(i => i.RequestId).ToList();

        Assert.Equal([("never-started", RecoveryOutcome.Released, 0L), ("streamed", RecoveryOutcome.Settled, 100L + 2 * 40)],
            items.Select(i => (i.RequestId, i.Outcome, i.Charged)));
        var usage = (await gatewayB.GetUsageAsync("streamed"))!;
        Assert.Equal((100L, 40L, 10L, 180L, true), (usage.PromptTokens, usage.CompletionTokens, usage.ReasoningTokens, usage.Cost, usage.Recovered));
        Assert.Equal(new Balance(tenant.Id, 10_000 - 180, 30), await gatewayB.GetBalanceAsync(tenant.Id));
        Assert.Equal(ReservationState.Open, (await gatewayB.GetReservationAsync("alive"))!.State);

        // gw-a was only partitioned and now reports: the recovered bill stands, nothing is billed twice.
        Assert.Equal(CloseStatus.AlreadySettled, (await gatewayA.SettleAsync("streamed", new TokenUsage(100, 150))).Status);
        Assert.Equal(CloseStatus.AlreadyReleased, (await gatewayA.SettleAsync("never-started", new TokenUsage(50, 5))).Status);
        Assert.False(await gatewayA.CheckpointAsync("never-started", 1));
        Assert.Equal(10_000 - 180, (await gatewayA.GetBalanceAsync(tenant.Id)).Ledger);
        Assert.Empty((await gatewayB.RecoverAsync(Recovery)).Items);
        var audits = await gatewayA.ListAuditAsync(new AuditQuery { Action = "reservation.recover" }); // one per pass that closed something
        Assert.All(audits, a => Assert.Equal("system:recovery", a.Actor));
        Assert.Contains(audits, a => a.DetailsJson.Contains("streamed"));
        Assert.Contains(audits, a => a.DetailsJson.Contains("never-started"));
    }

    [Fact]
    public async Task Recovery_finds_reservations_from_before_a_restart_and_idle_ones_but_spares_live_ones()
    {
        var store = await OpenAsync();
        var tenant = await TenantWithCreditAsync(store, 10_000);
        await PricesAsync(store);
        var key = await KeyAsync(store, tenant.Id);
        await store.RegisterInstanceAsync("gw-a");
        await store.ReserveAsync(Request("before-restart", key, 10, 100, instance: "gw-a"));
        await store.CheckpointAsync("before-restart", 5);

        Clock.Advance(TimeSpan.FromSeconds(1));
        await store.RegisterInstanceAsync("gw-a"); // same id, new process: what it had in flight is gone
        await store.ReserveAsync(Request("after-restart", key, 10, 100, instance: "gw-a"));
        await store.ReserveAsync(Request("no-instance", key, 10, 100));
        var report = await store.RecoverAsync(Recovery);
        Assert.Equal([("before-restart", RecoveryOutcome.Settled, 10L + 2 * 5)], report.Items.Select(i => (i.RequestId, i.Outcome, i.Charged)));

        Clock.Advance(TimeSpan.FromMinutes(15));
        await store.HeartbeatAsync("gw-a");
        Assert.True(await store.CheckpointAsync("after-restart", 20)); // progress keeps a long stream alive
        Clock.Advance(TimeSpan.FromSeconds(1));
        report = await store.RecoverAsync(Recovery);
        Assert.Equal([("no-instance", RecoveryOutcome.Released, 0L)], report.Items.Select(i => (i.RequestId, i.Outcome, i.Charged)));
        Assert.Equal(ReservationState.Open, (await store.GetReservationAsync("after-restart"))!.State);
        Assert.Equal(10_000 - (10 + 2 * 5), (await store.GetBalanceAsync(tenant.Id)).Ledger);
        await Assert.ThrowsAsync<InvalidOperationException>(() => store.HeartbeatAsync("gw-unknown"));
    }
}
