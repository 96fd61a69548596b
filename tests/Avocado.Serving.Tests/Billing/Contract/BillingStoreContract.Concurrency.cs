using Avocado.Serving.Billing;

namespace Avocado.Serving.Tests.Billing;

public abstract partial class BillingStoreContract
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task Parallel_reservations_against_a_budget_for_k_succeed_exactly_k_times(int gateways)
    {
        const int n = 24, k = 7;
        var stores = new List<IBillingStore>();
        for (int i = 0; i < gateways; i++) stores.Add(await OpenAsync());
        const long amount = 100 + 2 * 100;
        var tenant = await TenantWithCreditAsync(stores[0], k * amount + amount - 1); // k fit, k + 1 do not
        await PricesAsync(stores[0]);
        var key = await KeyAsync(stores[0], tenant.Id);

        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var attempts = Enumerable.Range(0, n).Select(i => Task.Run(async () =>
        {
            await start.Task;
            return await stores[i % gateways].ReserveAsync(Request($"req-{i}", key, 100, 100));
        })).ToList();
        start.SetResult();
        var results = await Task.WhenAll(attempts);

        Assert.Equal(k, results.Count(r => r.Status == ReserveStatus.Reserved));
        Assert.All(results.Where(r => !r.Succeeded), r => Assert.Equal(ReserveStatus.InsufficientCredit, r.Status));
        var balance = await stores[^1].GetBalanceAsync(tenant.Id);
        Assert.Equal(k * amount, balance.Reserved);
        Assert.Equal(amount - 1, balance.Available);
    }

    [Fact]
    public async Task Random_operations_from_two_gateways_keep_the_balance_equal_to_the_ledger_sum()
    {
        var stores = new[] { await OpenAsync(), await OpenAsync() };
        await PricesAsync(stores[0]);
        var tenants = new List<(Tenant Tenant, ApiKeyInfo Key)>();
        for (int t = 0; t < 3; t++)
        {
            var tenant = await TenantWithCreditAsync(stores[0], 5_000, $"tenant-{t}");
            tenants.Add((tenant, await KeyAsync(stores[0], tenant.Id)));
        }
        var random = new Random(20300101);
        var open = new List<(string RequestId, long Prompt, long Max)>();
        int next = 0;
        long deniedOrDuplicate = 0;

        // Rounds of up to four concurrent operations, so the ledger's running balance is written under contention.
        for (int round = 0; round < 40; round++)
        {
            var batch = new List<Func<Task>>();
            for (int j = 0; j < 4; j++)
            {
                var store = stores[random.Next(2)];
                var (tenant, key) = tenants[random.Next(tenants.Count)];
                int op = random.Next(10);
                if (op < 4)
                {
                    string id = $"r{next++}";
                    long prompt = random.Next(1, 200), max = random.Next(1, 300); // ≥ 3 held, so a stray (1, 1) settle fits
                    batch.Add(async () =>
                    {
                        var result = await store.ReserveAsync(Request(id, key, prompt, max));
                        if (result.Succeeded) lock (open) open.Add((id, prompt, max));
                        else Interlocked.Increment(ref deniedOrDuplicate);
                    });
                }
                else if (op < 7 && open.Count > 0)
                {
                    var (id, prompt, max) = Take(open, random);
                    long completion = random.Next(0, (int)max + 1);
                    batch.Add(() => store.SettleAsync(id, new TokenUsage(prompt, completion, completion / 3)));
                }
                else if (op < 8 && open.Count > 0)
                {
                    var (id, _, _) = Take(open, random);
                    batch.Add(() => store.ReleaseAsync(id));
                }
                else if (op < 9)
                {
                    long amount = random.Next(1, 2_000);
                    var kind = random.Next(2) == 0 ? LedgerKind.Grant : LedgerKind.Refund;
                    batch.Add(() => store.PostCreditAsync(tenant.Id, kind, amount, Admin));
                }
                else
                {
                    string id = $"r{random.Next(Math.Max(next, 1))}";
                    batch.Add(() => store.SettleAsync(id, new TokenUsage(1, 1))); // replays and strays: must never double-bill
                }
            }
            await Task.WhenAll(batch.Select(f => Task.Run(f)));
        }

        foreach (var (tenant, _) in tenants)
        {
            var entries = await stores[1].ListLedgerAsync(tenant.Id);
            long running = 0;
            foreach (var e in entries)
            {
                running += e.Amount;
                Assert.Equal(running, e.BalanceAfter);
            }
            var balance = await stores[0].GetBalanceAsync(tenant.Id);
            Assert.Equal(entries.Sum(e => e.Amount), balance.Ledger);
            Assert.True(balance.Available >= 0, $"{tenant.Name} overdrawn: {balance}");
            var usage = (await stores[0].QueryUsageAsync(new UsageQuery { TenantId = tenant.Id })).Single();
            Assert.Equal(-entries.Where(e => e.Kind == LedgerKind.Charge).Sum(e => e.Amount), usage.Cost);
            Assert.Equal(entries.Count(e => e.Kind == LedgerKind.Charge), usage.Requests);
        }
        long reservedTotal = 0;
        foreach (var (tenant, _) in tenants) reservedTotal += (await stores[0].GetBalanceAsync(tenant.Id)).Reserved;
        long expectedOpen = 0;
        for (int i = 0; i < next; i++)
            if (await stores[1].GetReservationAsync($"r{i}") is { State: ReservationState.Open } r) expectedOpen += r.Amount;
        Assert.Equal(expectedOpen, reservedTotal);
        Assert.True(deniedOrDuplicate < next, "every reservation was denied: the sequence tests nothing");
    }

    private static (string, long, long) Take(List<(string, long, long)> open, Random random)
    {
        int i = random.Next(open.Count);
        var item = open[i];
        open.RemoveAt(i);
        return item;
    }
}
