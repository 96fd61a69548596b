using Avocado.Serving.Billing;

namespace Avocado.Serving.Tests.Billing;

public abstract partial class BillingStoreContract
{
    [Fact]
    public async Task Requests_per_minute_hold_across_two_gateways()
    {
        var a = await OpenAsync();
        var b = await OpenAsync();
        var tenant = await TenantWithCreditAsync(a, 0);
        var key = await KeyAsync(a, tenant.Id, rpm: 3);

        var first = await a.AcquireAsync(key.Id, 0);
        Assert.True(first.Allowed);
        Assert.Equal(new RateWindow(3, 2, TimeSpan.FromSeconds(20)), first.Requests);
        Assert.Null(first.Tokens.Limit);
        Assert.True((await b.AcquireAsync(key.Id, 0)).Allowed);
        Assert.Equal(new RateWindow(3, 0, TimeSpan.FromSeconds(60)), (await a.AcquireAsync(key.Id, 0)).Requests);

        var denied = await b.AcquireAsync(key.Id, 0);
        Assert.False(denied.Allowed);
        Assert.Equal(RateLimitKind.Requests, denied.LimitedBy);
        Assert.Equal(TimeSpan.FromSeconds(20), denied.RetryAfter);
        Assert.True(denied.ShouldRetry);
        Assert.Equal(0, denied.Requests.Remaining);

        Clock.Advance(TimeSpan.FromSeconds(19));
        Assert.Equal(TimeSpan.FromSeconds(1), (await a.AcquireAsync(key.Id, 0)).RetryAfter); // the denial consumed nothing
        Clock.Advance(TimeSpan.FromSeconds(1));
        Assert.True((await b.AcquireAsync(key.Id, 0)).Allowed);
        Assert.False((await a.AcquireAsync(key.Id, 0)).Allowed);

        // Racing from both gateways: the limit is global, not per process.
        var racer = await KeyAsync(a, tenant.Id, rpm: 5);
        var results = await Task.WhenAll(Enumerable.Range(0, 12).Select(i => Task.Run(() => (i % 2 == 0 ? a : b).AcquireAsync(racer.Id, 0))));
        Assert.Equal(5, results.Count(r => r.Allowed));
    }

    [Fact]
    public async Task Tokens_per_minute_count_the_estimate_at_reservation_and_the_actual_at_settlement()
    {
        var a = await OpenAsync();
        var b = await OpenAsync();
        var tenant = await TenantWithCreditAsync(a, 100_000);
        await PricesAsync(a);
        var key = await KeyAsync(a, tenant.Id, rpm: 100, tpm: 1000);

        var r1 = await a.ReserveAsync(Request("r1", key, 100, 400));
        Assert.Equal(new RateWindow(1000, 500, TimeSpan.FromSeconds(30)), r1.Rate!.Tokens);
        Assert.Equal(99, r1.Rate.Requests.Remaining);
        Assert.Equal(0, (await b.ReserveAsync(Request("r2", key, 100, 400))).Rate!.Tokens.Remaining);

        var limited = await a.ReserveAsync(Request("r3", key, 100, 400));
        Assert.Equal(ReserveStatus.RateLimited, limited.Status);
        Assert.Equal(RateLimitKind.Tokens, limited.Rate!.LimitedBy);
        Assert.Equal(TimeSpan.FromSeconds(30), limited.RetryAfter);
        Assert.True(limited.ShouldRetry);
        Assert.Null(await a.GetReservationAsync("r3"));
        Assert.Equal(2 * (100 + 2 * 400), (await a.GetBalanceAsync(tenant.Id)).Reserved); // nothing held for the limited request

        await b.SettleAsync("r1", new TokenUsage(100, 50)); // 500 counted, 150 used: 350 come back
        var fits = await a.ReserveAsync(Request("r4", key, 100, 250));
        Assert.Equal(ReserveStatus.Reserved, fits.Status);
        Assert.Equal(0, fits.Rate!.Tokens.Remaining);
        await a.ReleaseAsync("r2"); // nothing generated: its 500 come back
        Assert.Equal(500, (await b.AcquireAsync(key.Id, 0)).Tokens.Remaining);
    }

    [Fact]
    public async Task A_request_larger_than_the_token_limit_is_refused_as_not_retryable()
    {
        var store = await OpenAsync();
        var tenant = await TenantWithCreditAsync(store, 100_000);
        await PricesAsync(store);
        var limitedKey = await KeyAsync(store, tenant.Id, tpm: 1000);
        var unlimitedKey = await KeyAsync(store, tenant.Id);

        var tooLarge = await store.ReserveAsync(Request("big", limitedKey, 600, 600));
        Assert.Equal(ReserveStatus.RateLimited, tooLarge.Status);
        Assert.Equal(RateLimitKind.Tokens, tooLarge.Rate!.LimitedBy);
        Assert.False(tooLarge.ShouldRetry);
        Assert.Equal(1000, tooLarge.Rate.Tokens.Remaining);

        var unlimited = await store.AcquireAsync(unlimitedKey.Id, 1_000_000);
        Assert.True(unlimited.Allowed);
        Assert.Equal(RateWindow.Unlimited, unlimited.Requests);
        Assert.Equal(RateWindow.Unlimited, unlimited.Tokens);
        await Assert.ThrowsAsync<ArgumentException>(() => store.AcquireAsync("key_missing", 1));
    }
}
