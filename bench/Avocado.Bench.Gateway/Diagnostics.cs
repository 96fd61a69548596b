using System.Diagnostics;
using System.Reflection;
using Avocado.Serving.Billing;

namespace Avocado.Bench.Gateway;

/// <summary>--breakdown: each billing call the gateway makes per request, timed alone (one caller, in sequence) on the
/// run's store, to show where a request's time goes.</summary>
static class Breakdown
{
    public static async Task PrintAsync(IBillingStore billing, string key, string keyId, string? instanceId, int n = 400)
    {
        var ids = Enumerable.Range(0, n).Select(_ => "breakdown-" + Guid.CreateVersion7().ToString("N")).ToArray();
        var usage = new TokenUsage(FakeUpstream.PromptTokens, FakeUpstream.CompletionTokens);
        Console.WriteLine();
        Console.WriteLine($"Billing calls per gateway request, timed alone ({n} each, one caller, {billing.Backend}):");
        Console.WriteLine();
        Console.WriteLine("| call | p50 ms | p99 ms | CPU µs/call (process) |");
        Console.WriteLine("|---|---|---|---|");
        await Row("authenticate (read)", i => billing.AuthenticateAsync(key));
        await Row("reserve (write txn)", i => billing.ReserveAsync(new ReservationRequest(ids[i], keyId, GatewayUnderTest.Model, 59, 16) { InstanceId = instanceId }));
        await Row("settle (write txn)", i => billing.SettleAsync(ids[i], usage));

        async Task Row(string name, Func<int, Task> call)
        {
            var samples = new Samples();
            var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
            for (int i = 0; i < n; i++)
            {
                long t0 = Stopwatch.GetTimestamp();
                await call(i);
                samples.Latencies.Add(Stopwatch.GetTimestamp() - t0);
            }
            samples.Cpu = Process.GetCurrentProcess().TotalProcessorTime - cpu0;
            Console.WriteLine($"| {name} | {samples.Ms(50):F3} | {samples.Ms(99):F3} | {samples.CpuMicrosPerRequest:F0} |");
        }
    }
}

/// <summary>--what-if (diagnostic only, not the benchmark): the gateway's billing store with a change the gateway
/// does not have, to measure what it would buy. "no-db": authentication, reservation and settlement answered from
/// memory (one real answer captured at start), leaving only the proxying. "defer-settle": settlement runs after the
/// answer instead of before it (the real settlement still runs, in the background, so the DB load is the same).
/// Every other call goes to the real store.</summary>
class WhatIfBilling : DispatchProxy
{
    IBillingStore real = null!;
    string mode = "";
    object? auth, reserve, close;

    public static async Task<IBillingStore> WrapAsync(IBillingStore real, string mode, string key, string keyId)
    {
        if (mode is not ("no-db" or "defer-settle")) throw new ArgumentException("--what-if is no-db or defer-settle");
        var proxy = Create<IBillingStore, WhatIfBilling>();
        var self = (WhatIfBilling)(object)proxy;
        (self.real, self.mode) = (real, mode);
        var id = "what-if-" + Guid.NewGuid().ToString("N");
        self.auth = Task.FromResult(await real.AuthenticateAsync(key));
        self.reserve = Task.FromResult(await real.ReserveAsync(new ReservationRequest(id, keyId, GatewayUnderTest.Model, 59, 16)));
        self.close = Task.FromResult(await real.SettleAsync(id, new TokenUsage(FakeUpstream.PromptTokens, FakeUpstream.CompletionTokens)));
        return proxy;
    }

    protected override object? Invoke(MethodInfo? method, object?[]? args) => (mode, method!.Name) switch
    {
        ("no-db", nameof(IBillingStore.AuthenticateAsync)) => auth,
        ("no-db", nameof(IBillingStore.ReserveAsync)) => reserve,
        ("no-db", nameof(IBillingStore.SettleAsync) or nameof(IBillingStore.ReleaseAsync)) => close,
        ("no-db", nameof(IBillingStore.CheckpointAsync)) => Task.FromResult(true),
        ("defer-settle", nameof(IBillingStore.SettleAsync) or nameof(IBillingStore.ReleaseAsync)) => Defer(method, args),
        _ => Forward(method, args),
    };

    object? Defer(MethodInfo method, object?[]? args)
    {
        _ = Task.Run(() => (Task)Forward(method, [.. args![..^1], CancellationToken.None])!);
        return close;
    }

    object? Forward(MethodInfo method, object?[]? args)
    {
        try { return method.Invoke(real, args); }
        catch (TargetInvocationException e) when (e.InnerException is not null) { throw e.InnerException; }
    }
}

/// <summary>Runtime events that stall every request at once, watched during the open loop: garbage collections (count
/// and total pause, the slice-start collections the bench forces included) and the thread pool (threads, the most work
/// items seen queued), so a run with a bad p99 can be told apart from one where the gateway itself was slow.</summary>
sealed class RuntimeWatch : IDisposable
{
    readonly int gcs0 = GC.CollectionCount(0);
    readonly TimeSpan pause0 = GC.GetTotalPauseDuration();
    readonly Thread poller;
    volatile bool stopping;
    int gcs, minThreads = int.MaxValue, maxThreads;
    long maxQueued;
    TimeSpan pause;

    RuntimeWatch()
    {
        poller = new Thread(() =>
        {
            while (!stopping)
            {
                maxQueued = Math.Max(maxQueued, ThreadPool.PendingWorkItemCount);
                int threads = ThreadPool.ThreadCount;
                (minThreads, maxThreads) = (Math.Min(minThreads, threads), Math.Max(maxThreads, threads));
                Thread.Sleep(2);
            }
        }) { IsBackground = true, Name = "runtime watch" };
        poller.Start();
    }

    public static RuntimeWatch Start() => new();

    public void Stop()
    {
        if (stopping) return;
        stopping = true;
        poller.Join();
        (gcs, pause) = (GC.CollectionCount(0) - gcs0, GC.GetTotalPauseDuration() - pause0);
    }

    public override string ToString() =>
        $"{gcs} garbage collections pausing {pause.TotalMilliseconds:F0} ms in all; thread pool {minThreads}–{maxThreads} threads, at most {maxQueued} work items queued";

    public void Dispose() => Stop();
}
