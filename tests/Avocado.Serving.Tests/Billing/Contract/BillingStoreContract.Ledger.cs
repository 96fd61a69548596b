using Avocado.Serving.Billing;

namespace Avocado.Serving.Tests.Billing;

public abstract partial class BillingStoreContract
{
    [Fact]
    public async Task Prices_round_trip_exactly_and_can_be_replaced()
    {
        var store = await OpenAsync();
        var price = Price.FromDollars(ModelA, 0.15m, 0.60m);
        await store.SetPriceAsync(price, Admin);
        Assert.Equal(new Price(ModelA, 150_000_000, 600_000_000), await store.GetPriceAsync(ModelA));
        Assert.Equal(450_000, price.CostOf(1000, 500)); // $0.00045, exactly

        var huge = new Price(ModelB, 1_000_000_000_000, 0);
        await store.SetPriceAsync(huge, Admin);
        Assert.Equal(1_000_000_000_000_000_000, (await store.GetPriceAsync(ModelB))!.CostOf(1_000_000_000_000, 0)); // 10⁹ USD from a 10²⁴ product

        await store.SetPriceAsync(price with { OutputPerMillion = 700_000_000 }, Admin);
        Assert.Equal(700_000_000, (await store.GetPriceAsync(ModelA))!.OutputPerMillion);
        Assert.Equal([ModelA, ModelB], (await store.ListPricesAsync()).Select(p => p.Model));
        Assert.Null(await store.GetPriceAsync("nope"));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => store.SetPriceAsync(new Price("neg", -1, 0), Admin));
    }

    [Fact]
    public async Task Balance_is_the_sum_of_ledger_entries_with_running_balances()
    {
        var store = await OpenAsync();
        var tenant = await TenantWithCreditAsync(store, Money.FromDollars(10m));
        await store.PostCreditAsync(tenant.Id, LedgerKind.Adjustment, -Money.FromDollars(1.25m), Admin, "goodwill correction");
        await store.PostCreditAsync(tenant.Id, LedgerKind.Refund, Money.FromDollars(0.5m), Admin);

        var entries = await store.ListLedgerAsync(tenant.Id);
        Assert.Equal([LedgerKind.Grant, LedgerKind.Adjustment, LedgerKind.Refund], entries.Select(e => e.Kind));
        Assert.Equal([10_000_000_000L, 8_750_000_000L, 9_250_000_000L], entries.Select(e => e.BalanceAfter));
        var balance = await store.GetBalanceAsync(tenant.Id);
        Assert.Equal(entries.Sum(e => e.Amount), balance.Ledger);
        Assert.Equal(Money.FromDollars(9.25m), balance.Available);
        Assert.Equal("$9.250000000", Money.Format(balance.Available));

        await Assert.ThrowsAsync<ArgumentException>(() => store.PostCreditAsync(tenant.Id, LedgerKind.Charge, -1, Admin));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => store.PostCreditAsync(tenant.Id, LedgerKind.Grant, 0, Admin));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => store.PostCreditAsync(tenant.Id, LedgerKind.Refund, -5, Admin));
        await Assert.ThrowsAsync<ArgumentException>(() => store.PostCreditAsync("ten_missing", LedgerKind.Grant, 5, Admin));
        Assert.Equal(balance, await store.GetBalanceAsync(tenant.Id));
    }

    [Fact]
    public async Task Ledger_usage_and_audit_rows_cannot_be_updated_or_deleted()
    {
        var store = await OpenAsync();
        var tenant = await TenantWithCreditAsync(store, 1000);
        await PricesAsync(store);
        var key = await KeyAsync(store, tenant.Id);
        await store.ReserveAsync(Request("r1", key, 10, 10));
        await store.SettleAsync("r1", new TokenUsage(10, 5));

        foreach (var sql in new[]
        {
            "UPDATE ledger SET amount = amount + 1000000",
            "DELETE FROM ledger",
            "UPDATE usage_records SET cost = 0",
            "DELETE FROM usage_records",
            "UPDATE audit_log SET actor = 'nobody'",
            "DELETE FROM audit_log",
        })
        {
            var e = await Assert.ThrowsAnyAsync<Exception>(() => Raw(store).ExecuteRawAsync(sql));
            Assert.Contains("append-only", e.Message);
        }
        Assert.Equal(1000 - 20, (await store.GetBalanceAsync(tenant.Id)).Ledger);
        Assert.Equal(2, (await store.ListLedgerAsync(tenant.Id)).Count);
    }
}
