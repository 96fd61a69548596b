using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;

namespace Avocado.Bench.Gateway;

/// <summary>One endpoint under load: the same non-streaming chat request, with or without an API key.</summary>
sealed class Target(string name, Uri url, string? key, int connections) : IDisposable
{
    static readonly byte[] Body = """
        {"model":"bench","messages":[{"role":"user","content":"Say hello to the benchmark."}],"max_tokens":16,"stream":false}
        """u8.ToArray();
    static readonly MediaTypeHeaderValue Json = new("application/json");

    readonly HttpClient http = new(new SocketsHttpHandler
    {
        MaxConnectionsPerServer = connections,
        PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
        UseProxy = false,
        AutomaticDecompression = DecompressionMethods.None,
    }) { Timeout = TimeSpan.FromSeconds(30) };
    readonly AuthenticationHeaderValue? auth = key is null ? null : new("Bearer", key);

    long succeeded;

    public string Name => name;
    public long Succeeded => Interlocked.Read(ref succeeded);

    /// <summary>Sends one request and reads the whole answer; latency in Stopwatch ticks, negative on an error.</summary>
    public async Task<long> SendAsync()
    {
        long start = Stopwatch.GetTimestamp();
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(Body) };
            request.Content.Headers.ContentType = Json;
            request.Headers.Authorization = auth;
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseContentRead);
            long elapsed = Stopwatch.GetTimestamp() - start;
            if (response.StatusCode != HttpStatusCode.OK) return -1;
            Interlocked.Increment(ref succeeded);
            return Math.Max(elapsed, 1);
        }
        catch (HttpRequestException) { return -1; }
        catch (TaskCanceledException) { return -1; }
    }

    /// <summary>The answer's body, for the sanity check before measuring.</summary>
    public async Task<(HttpStatusCode, string)> ProbeAsync()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(Body) };
        request.Content.Headers.ContentType = Json;
        request.Headers.Authorization = auth;
        using var response = await http.SendAsync(request);
        if (response.StatusCode == HttpStatusCode.OK) Interlocked.Increment(ref succeeded);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    public void Dispose() => http.Dispose();
}

/// <summary>Latencies (ticks) of one phase, its active wall time and the process CPU it used.</summary>
sealed class Samples
{
    public List<long> Latencies { get; } = [];
    public List<long> DispatchLag { get; } = [];
    public long Errors, WallTicks;
    public TimeSpan Cpu;

    public void Add(Samples other)
    {
        Latencies.AddRange(other.Latencies);
        DispatchLag.AddRange(other.DispatchLag);
        Errors += other.Errors;
        WallTicks += other.WallTicks;
        Cpu += other.Cpu;
    }

    public double Rate => Latencies.Count / ((double)WallTicks / Stopwatch.Frequency);
    public double CpuMicrosPerRequest => Cpu.TotalMicroseconds / Math.Max(1, Latencies.Count + Errors);

    /// <summary>Nearest-rank percentile in milliseconds.</summary>
    public static double Percentile(List<long> ticks, double p)
    {
        if (ticks.Count == 0) return double.NaN;
        var sorted = ticks.Order().ToArray();
        var rank = (int)Math.Ceiling(p / 100 * sorted.Length) - 1;
        return sorted[Math.Clamp(rank, 0, sorted.Length - 1)] * 1000.0 / Stopwatch.Frequency;
    }

    public double Ms(double p) => Percentile(Latencies, p);
}

static class Load
{
    /// <summary>Open loop: request i is sent at start + i / rate whatever the answers do, so queueing shows as latency.
    /// A dedicated thread dispatches (sleeping ~1 ms between wake-ups and sending everything due); latency is from the
    /// actual send, and how late each send was against its schedule is kept too (it shows whether the generator kept up).</summary>
    public static async Task<Samples> OpenLoopAsync(Target target, double rate, TimeSpan duration)
    {
        int n = Math.Max(1, (int)(rate * duration.TotalSeconds));
        var tasks = new Task<long>[n];
        var lag = new long[n];
        double interval = Stopwatch.Frequency / rate;
        var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
        long start = Stopwatch.GetTimestamp();
        var dispatched = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var dispatcher = new Thread(() =>
        {
            for (int i = 0; i < n; i++)
            {
                long due = start + (long)(i * interval);
                long now;
                while ((now = Stopwatch.GetTimestamp()) < due) Thread.Sleep(1);
                lag[i] = now - due;
                tasks[i] = target.SendAsync();
            }
            dispatched.SetResult();
        }) { IsBackground = true, Priority = ThreadPriority.AboveNormal, Name = "open-loop dispatcher" };
        dispatcher.Start();
        await dispatched.Task; // not Task.Run(dispatcher.Join): that held a pool thread the gateway needs for the whole slice
        var results = await Task.WhenAll(tasks);
        var samples = new Samples { WallTicks = Stopwatch.GetTimestamp() - start, Cpu = Process.GetCurrentProcess().TotalProcessorTime - cpu0 };
        foreach (var r in results)
            if (r > 0) samples.Latencies.Add(r); else samples.Errors++;
        samples.DispatchLag.AddRange(lag);
        return samples;
    }

    /// <summary>Closed loop: <paramref name="clients"/> clients each send the next request as soon as the previous
    /// answer is read, for <paramref name="duration"/>; the completion rate is the maximum throughput.</summary>
    public static async Task<Samples> ClosedLoopAsync(Target target, int clients, TimeSpan duration)
    {
        var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
        long start = Stopwatch.GetTimestamp(), end = start + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var perClient = await Task.WhenAll(Enumerable.Range(0, clients).Select(_ => Task.Run(async () =>
        {
            var s = new Samples();
            while (Stopwatch.GetTimestamp() < end)
            {
                var r = await target.SendAsync();
                if (r > 0) s.Latencies.Add(r); else s.Errors++;
            }
            return s;
        })));
        var samples = new Samples { WallTicks = Stopwatch.GetTimestamp() - start, Cpu = Process.GetCurrentProcess().TotalProcessorTime - cpu0 };
        foreach (var s in perClient) samples.Add(s);
        return samples;
    }
}
