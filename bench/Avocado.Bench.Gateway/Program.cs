// Gateway overhead benchmark: how much latency the Avocado gateway adds to a call, end to end from the client,
// against a direct call to the same upstream in the same run (serving contract, "Published overhead figures").
//
//   dotnet run -c Release --project bench/Avocado.Bench.Gateway -- [--rate 1000] [--seconds 10] [--db sqlite|postgres]
//       [--pg postgres://user:pass@host:port/db] [--sqlite-dir DIR] [--clients 32] [--max-seconds 3] [--slice 2] [--verbose]
//       [--breakdown] [--what-if no-db|defer-settle]
//
// In one process, on 127.0.0.1: a fake OpenAI upstream (answers at once: JSON, or SSE with usage when stream=true),
// and a real gateway in front of it with auth, rate limits (per-key RPM and TPM set, never reached) and metering
// (reservation + settlement in the billing DB: a SQLite file in a temp dir, or a fresh schema in the PostgreSQL that
// `scripts/postgres start` runs, dropped afterwards). The client sends the same non-streaming chat request to both.
//   1. warm-up of both targets at the rate;
//   2. open loop at --rate requests/s (fixed arrivals, so queueing shows) for --seconds per target, in --slice second
//      slices alternating direct and gateway; latency = request sent → whole body read (Stopwatch), from all samples;
//   3. closed loop with --clients concurrent clients for --max-seconds per target: maximum requests/s;
//   4. a metering check (every gateway request settled in the billing DB, nothing left reserved).
// --sqlite-dir puts the SQLite file elsewhere (e.g. /dev/shm, where fsync is free, to separate its cost from CPU);
// --verbose prints every slice; --breakdown times the billing calls of one request alone; --what-if (diagnostic, not
// the benchmark) changes the billing store the gateway sees: no-db answers its calls from memory (only the proxying
// is left), defer-settle settles after the answer instead of before it (see Diagnostics.cs).
// Prints a markdown table. Client, upstream and gateway share the machine's cores (so does anything else running:
// the load average is printed), and the direct baseline pays the same client and upstream costs.
using System.Diagnostics;
using System.Runtime;
using Avocado.Bench.Gateway;
using Avocado.Serving.Billing;

var o = Options.Parse(args);
Console.WriteLine($"# Avocado gateway overhead — {Environment.ProcessorCount} cores, .NET {Environment.Version}, " +
    $"{(GCSettings.IsServerGC ? "server" : "workstation")} GC, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, load average {LoadAverage()}");

await using var upstream = await FakeUpstream.StartAsync();
await using var gateway = await GatewayUnderTest.StartAsync(o.Db, o.PgUri, o.SqliteDir, o.WhatIf, upstream.BaseUrl);
Console.WriteLine($"billing: {gateway.Description}");
using var direct = new Target("direct", new Uri(upstream.BaseUrl, "/v1/chat/completions"), null, o.Connections);
using var viaGateway = new Target("gateway", new Uri(gateway.BaseUrl, "/v1/chat/completions"), gateway.Key, o.Connections);

foreach (var t in new[] { direct, viaGateway })
{
    var (status, body) = await t.ProbeAsync();
    if ((int)status != 200 || !body.Contains(FakeUpstream.Content))
        throw new InvalidOperationException($"{t.Name} answered {(int)status}: {body}");
}

var warm = TimeSpan.FromSeconds(Math.Min(3, o.Seconds / 2.0)); // per target: long enough for tiered JIT to settle
for (int i = 0; i < 2; i++)
    foreach (var t in new[] { direct, viaGateway }) await Load.OpenLoopAsync(t, o.Rate, warm / 2);

var open = new Dictionary<Target, Samples> { [direct] = new(), [viaGateway] = new() };
using var runtime = RuntimeWatch.Start(); // what else paused the process: collections, a starved thread pool
int slices = Math.Max(1, (int)Math.Round(o.Seconds / o.Slice));
for (int i = 0; i < slices; i++)
    foreach (var t in i % 2 == 0 ? new[] { direct, viaGateway } : [viaGateway, direct])
    {
        GC.Collect();
        var slice = await Load.OpenLoopAsync(t, o.Rate, TimeSpan.FromSeconds(o.Seconds / slices));
        if (o.Verbose) Console.WriteLine($"  slice {i + 1} {t.Name}: p50 {slice.Ms(50):F2} p99 {slice.Ms(99):F2} max {slice.Ms(100):F2} ms, {slice.Rate:F0} req/s, lag p99 {Samples.Percentile(slice.DispatchLag, 99):F2} ms");
        open[t].Add(slice);
    }

runtime.Stop();
var max = new Dictionary<Target, Samples>();
foreach (var t in new[] { direct, viaGateway })
{
    GC.Collect();
    max[t] = await Load.ClosedLoopAsync(t, o.Clients, TimeSpan.FromSeconds(o.MaxSeconds));
}

var usage = await gateway.Billing.QueryUsageAsync(new UsageQuery { TenantId = gateway.TenantId });
var balance = await gateway.Billing.GetBalanceAsync(gateway.TenantId);

Console.WriteLine();
Console.WriteLine($"Command: `dotnet run -c Release --project bench/Avocado.Bench.Gateway -- {string.Join(' ', args)}`".Replace(" -- `", "`"));
Console.WriteLine();
Console.WriteLine($"Open loop at {o.Rate:0} req/s, {o.Seconds:0.#} s per target ({slices} alternating slices), after {warm.TotalSeconds * 2:0.#} s warm-up:");
Console.WriteLine();
Console.WriteLine("| target | p50 ms | p90 ms | p99 ms | max ms | achieved req/s | errors | send lag p99 ms | CPU µs/req (process) |");
Console.WriteLine("|---|---|---|---|---|---|---|---|---|");
foreach (var (t, s) in open)
    Console.WriteLine($"| {t.Name} | {s.Ms(50):F2} | {s.Ms(90):F2} | {s.Ms(99):F2} | {s.Ms(100):F2} | {s.Rate:F0} | {s.Errors} | " +
        $"{Samples.Percentile(s.DispatchLag, 99):F2} | {s.CpuMicrosPerRequest:F0} |");
var (d, g) = (open[direct], open[viaGateway]);
double addedP50 = g.Ms(50) - d.Ms(50), addedP99 = g.Ms(99) - d.Ms(99);
Console.WriteLine($"| **added by the gateway** | **{addedP50:+0.00;-0.00}** | {g.Ms(90) - d.Ms(90):+0.00;-0.00} | **{addedP99:+0.00;-0.00}** | | | | | {g.CpuMicrosPerRequest - d.CpuMicrosPerRequest:+0;-0} |");
Console.WriteLine();
Console.WriteLine($"Target (p50 added ≤ 1 ms, p99 added ≤ 5 ms at {o.Rate:0} req/s): p50 {(addedP50 <= 1 ? "met" : "MISSED")}, p99 {(addedP99 <= 5 ? "met" : "MISSED")}.");
Console.WriteLine($"During the open loop (both targets): {runtime}.");
Console.WriteLine();
foreach (var (t, s) in max)
    Console.WriteLine($"Max throughput, {t.Name}: {s.Rate:F0} req/s (closed loop, {o.Clients} clients, {o.MaxSeconds:0.#} s; p50 {s.Ms(50):F2} ms, p99 {s.Ms(99):F2} ms, errors {s.Errors}).");
var billed = usage.Sum(u => u.Requests);
Console.WriteLine($"Metering: {billed} settled for {viaGateway.Succeeded} gateway requests answered 200, in {gateway.Billing.Backend} ({Money.Format(usage.Sum(u => u.Cost))} charged), " +
    $"{Money.Format(balance.Reserved)} still reserved. Load average at the end: {LoadAverage()}.");
if (o.Breakdown) await Breakdown.PrintAsync(gateway.Billing, gateway.Key, gateway.KeyId, gateway.InstanceId);

// Other work on the machine skews every figure: the 1-minute load average is printed at the start and the end.
static string LoadAverage() => File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "n/a";

sealed record Options(double Rate, double Seconds, string Db, string? PgUri, int Clients, double MaxSeconds, double Slice, int Connections,
    string? SqliteDir = null, bool Verbose = false, bool Breakdown = false, string? WhatIf = null)
{
    public static Options Parse(string[] args)
    {
        var o = new Options(1000, 10, "sqlite", null, 32, 3, 2, 1024);
        for (int i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            o = args[i] switch
            {
                "--rate" => o with { Rate = double.Parse(Next()) },
                "--seconds" => o with { Seconds = double.Parse(Next()) },
                "--db" => o with { Db = Next() is var db && db is "sqlite" or "postgres" ? db : throw new ArgumentException("--db is sqlite or postgres") },
                "--pg" => o with { PgUri = Next(), Db = "postgres" },
                "--clients" => o with { Clients = int.Parse(Next()) },
                "--max-seconds" => o with { MaxSeconds = double.Parse(Next()) },
                "--slice" => o with { Slice = double.Parse(Next()) },
                "--sqlite-dir" => o with { SqliteDir = Next() },
                "--verbose" => o with { Verbose = true },
                "--breakdown" => o with { Breakdown = true },
                "--what-if" => o with { WhatIf = Next() },
                "--connections" => o with { Connections = int.Parse(Next()) },
                _ => throw new ArgumentException($"unknown option {args[i]}; see the top of bench/Avocado.Bench.Gateway/Program.cs"),
            };
        }
        if (o.Rate <= 0 || o.Seconds <= 0 || o.Clients < 1 || o.MaxSeconds <= 0 || o.Slice <= 0) throw new ArgumentException("values must be positive");
        return o;
    }
}
