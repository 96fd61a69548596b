using Avocado.Serving.Billing;

namespace Avocado.Serving.Tests.Billing;

public abstract partial class BillingStoreContract
{
    [Fact]
    public async Task Usage_sums_by_tenant_key_model_and_day()
    {
        var store = await OpenAsync();
        await PricesAsync(store);
        var t1 = await TenantWithCreditAsync(store, 100_000, "t1");
        var t2 = await TenantWithCreditAsync(store, 100_000, "t2");
        var k1 = await KeyAsync(store, t1.Id);
        var k2 = await KeyAsync(store, t1.Id);
        var k3 = await KeyAsync(store, t2.Id);
        int n = 0;
        async Task Bill(ApiKeyInfo key, string model, long prompt, long completion, long reasoning = 0)
        {
            string id = $"u{n++}";
            Assert.True((await store.ReserveAsync(Request(id, key, prompt, completion, model))).Succeeded);
            Assert.Equal(CloseStatus.Settled, (await store.SettleAsync(id, new TokenUsage(prompt, completion, reasoning))).Status);
        }
        var day1 = DateOnly.FromDateTime(Clock.GetUtcNow().UtcDateTime);
        await Bill(k1, ModelA, 10, 5);          // 20
        await Bill(k1, ModelB, 100, 100);       // free model
        await Bill(k2, ModelA, 1, 1);           // 3
        await Bill(k3, ModelA, 7, 3, 2);        // 13
        Clock.Advance(TimeSpan.FromDays(1));
        var day2 = day1.AddDays(1);
        await Bill(k1, ModelA, 20, 10, 4);      // 40

        var byDay = await store.QueryUsageAsync(new UsageQuery { TenantId = t1.Id, GroupBy = UsageGrouping.Day });
        Assert.Equal(
            [new UsageSummary(null, null, null, day1, 3, 111, 106, 0, 23), new UsageSummary(null, null, null, day2, 1, 20, 10, 4, 40)],
            byDay);

        var byKey = (await store.QueryUsageAsync(new UsageQuery { TenantId = t1.Id, GroupBy = UsageGrouping.Key })).ToDictionary(s => s.KeyId!);
        Assert.Equal((3L, 60L), (byKey[k1.Id].Requests, byKey[k1.Id].Cost));
        Assert.Equal((1L, 3L), (byKey[k2.Id].Requests, byKey[k2.Id].Cost));
        Assert.Equal(2, byKey.Count);

        var modelA = (await store.QueryUsageAsync(new UsageQuery { Model = ModelA, GroupBy = UsageGrouping.Tenant })).ToDictionary(s => s.TenantId!);
        Assert.Equal((3L, 63L), (modelA[t1.Id].Requests, modelA[t1.Id].Cost));
        Assert.Equal((1L, 13L, 2L), (modelA[t2.Id].Requests, modelA[t2.Id].Cost, modelA[t2.Id].ReasoningTokens));

        Assert.Equal(1, (await store.QueryUsageAsync(new UsageQuery { From = day2 })).Single().Requests);
        Assert.Equal(4, (await store.QueryUsageAsync(new UsageQuery { To = day1 })).Single().Requests);
        Assert.Equal(0, (await store.QueryUsageAsync(new UsageQuery { From = day2.AddDays(1) })).Single().Requests);
        var total = (await store.QueryUsageAsync(new UsageQuery())).Single();
        Assert.Equal(new UsageSummary(null, null, null, null, 5, 138, 119, 6, 76), total);
        var everything = await store.QueryUsageAsync(new UsageQuery { GroupBy = UsageGrouping.Tenant | UsageGrouping.Key | UsageGrouping.Model | UsageGrouping.Day });
        Assert.Equal(5, everything.Count);
        Assert.Contains(new UsageSummary(t1.Id, k1.Id, ModelA, day2, 1, 20, 10, 4, 40), everything);
        Assert.Single(await store.QueryUsageAsync(new UsageQuery { KeyId = k3.Id, GroupBy = UsageGrouping.Model }));
    }
}
