using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Avocado.Serving.Billing;

namespace Avocado.Serving.Tests.Gateway;

/// <summary>Money under concurrency and faults: no overspend, exact billing of aborted streams, nothing left open after
/// a crash, a ledger that always sums up, and no double billing.</summary>
public class MoneyInvariantTests(GatewayFixture f) : IClassFixture<GatewayFixture>
{
    static StringContent Body(int maxTokens, bool stream = false, string content = "hello there") => new(JsonSerializer.Serialize(new
    {
        model = GatewayFixture.Model, messages = new[] { new { role = "user", content } }, max_tokens = maxTokens, stream, temperature = 1.0,
    }), Encoding.UTF8, "application/json");

    static async Task AssertLedgerConsistent(IBillingStore billing, string tenant)
    {
        var entries = await billing.ListLedgerAsync(tenant);
        var balance = await billing.GetBalanceAsync(tenant);
        Assert.Equal(entries.Sum(e => e.Amount), balance.Ledger);
        Assert.Equal(balance.Ledger, entries.Count == 0 ? 0 : entries.MaxBy(e => e.Id)!.BalanceAfter);
    }

    [Fact]
    public async Task Parallel_requests_never_spend_more_than_the_budget()
    {
        // Each request may cost up to prompt×$2/M + 20×$8/M; the budget covers about three at once.
        var prompt = f.PromptTokens(new Avocado.Text.Chat.ChatMessage("user", "hello there"));
        var maxCost = GatewayFixture.TestPrice.CostOf(prompt, 20);
        var budget = Money.ToDollars(maxCost * 3 + maxCost / 2);
        var (tenant, key) = await f.NewTenantAsync(budget);
        var http = f.Http(key);
        var responses = await Task.WhenAll(Enumerable.Range(0, 12).Select(_ => http.PostAsync("/v1/chat/completions", Body(20))));
        Assert.All(responses, r => Assert.Contains((int)r.StatusCode, new[] { 200, 429 }));
        Assert.Contains(responses, r => r.StatusCode == HttpStatusCode.OK);
        Assert.Contains(responses, r => (int)r.StatusCode == 429);
        var balance = await f.Billing.GetBalanceAsync(tenant);
        Assert.True(balance.Ledger >= 0, $"overspent: {Money.Format(balance.Ledger)}");
        Assert.Equal(0, balance.Reserved);
        var usage = await f.Billing.QueryUsageAsync(new UsageQuery { TenantId = tenant });
        Assert.Equal(responses.Count(r => r.StatusCode == HttpStatusCode.OK), usage.Single().Requests);
        Assert.Equal(Money.FromDollars(budget) - usage.Single().Cost, balance.Ledger);
        await AssertLedgerConsistent(f.Billing, tenant);
    }

    [Fact]
    public async Task A_client_that_disconnects_mid_stream_is_billed_what_was_generated_and_generation_stops()
    {
        var (tenant, key) = await f.NewTenantAsync(10);
        using var cts = new CancellationTokenSource();
        var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = Body(480, stream: true) };
        // A client that goes away: nothing of the stream is read after dispose. (By default HttpClient drains up to
        // 1 MB of an unread response so it can reuse the connection; that is a client still reading, not one that left.)
        using var http = new HttpClient(new SocketsHttpHandler { MaxResponseDrainSize = 0 }) { BaseAddress = f.BaseUrl };
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", key);
        var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cts.Token);
        var requestId = response.Headers.GetValues("x-request-id").Single();
        var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cts.Token));
        var events = 0;
        while (events < 3 && await reader.ReadLineAsync(cts.Token) is { } line)
            if (line.StartsWith("data: {", StringComparison.Ordinal)) events++;
        cts.Cancel();
        response.Dispose();

        UsageRecord? usage = null;
        for (int i = 0; i < 100 && usage is null; i++)
        {
            await Task.Delay(50);
            usage = await f.Billing.GetUsageAsync(requestId);
        }
        Assert.NotNull(usage);
        Assert.InRange(usage!.CompletionTokens, events, 200); // stopped long before max_tokens (480)
        Assert.False(usage.Recovered);
        Assert.Equal(GatewayFixture.TestPrice.CostOf(usage.PromptTokens, usage.CompletionTokens), usage.Cost);
        Assert.Equal(ReservationState.Settled, (await f.Billing.GetReservationAsync(requestId))!.State);
        Assert.Equal(0, (await f.Billing.GetBalanceAsync(tenant)).Reserved);
        await AssertLedgerConsistent(f.Billing, tenant);
    }

    [Fact]
    public async Task Settling_again_never_bills_twice()
    {
        var (tenant, key) = await f.NewTenantAsync(10);
        var response = await f.Http(key).PostAsync("/v1/chat/completions", Body(5));
        var id = response.Headers.GetValues("x-request-id").Single();
        var usage = (await f.Billing.GetUsageAsync(id))!;
        var before = await f.Billing.GetBalanceAsync(tenant);
        var replay = await f.Billing.SettleAsync(id, new TokenUsage(usage.PromptTokens, usage.CompletionTokens));
        Assert.Equal(CloseStatus.AlreadySettled, replay.Status);
        Assert.Equal(0, replay.Charged);
        Assert.Equal(before, await f.Billing.GetBalanceAsync(tenant));
        await AssertLedgerConsistent(f.Billing, tenant);
    }

    [Fact]
    public async Task A_gateway_killed_mid_request_leaves_nothing_open_after_restart()
    {
        var db = Path.Combine(f.Root, "crash.db");
        string tenant, key;
        await using (var store = await BillingStore.OpenAsync(db))
        {
            tenant = (await store.CreateTenantAsync("crash", "test")).Id;
            key = (await store.CreateApiKeyAsync(new NewApiKey(tenant, "k"), "test")).Secret;
            await store.SetPriceAsync(GatewayFixture.TestPrice, "test");
            await store.PostCreditAsync(tenant, LedgerKind.Grant, Money.FromDollars(10), "test");
        }
        var port = FreePort();
        using (var server = await StartCli(db, port))
        {
            var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
            http.DefaultRequestHeaders.Authorization = new("Bearer", key);
            var response = await http.SendAsync(new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = Body(480, stream: true) },
                HttpCompletionOption.ResponseHeadersRead);
            var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
            var events = 0;
            while (events < 40 && await reader.ReadLineAsync() is { } line)
                if (line.StartsWith("data: {", StringComparison.Ordinal)) events++;
            server.Kill(entireProcessTree: true); // no finally blocks, no settlement
            await server.WaitForExitAsync();
        }
        await using (var store = await BillingStore.OpenAsync(db))
            Assert.True((await store.GetBalanceAsync(tenant)).Reserved > 0, "the killed gateway should have left its reservation open");

        using (var restarted = await StartCli(db, port)) // same gateway again: recovery runs before it serves
        {
            restarted.Kill(entireProcessTree: true);
            await restarted.WaitForExitAsync();
        }
        await using (var store = await BillingStore.OpenAsync(db))
        {
            var balance = await store.GetBalanceAsync(tenant);
            Assert.Equal(0, balance.Reserved);
            await AssertLedgerConsistent(store, tenant);
            var usage = await store.QueryUsageAsync(new UsageQuery { TenantId = tenant });
            // Progress is checkpointed every 32 streamed tokens and recovery bills the last checkpoint: a multiple of 32,
            // at least the one the 40 tokens we read had passed (the server may have streamed further than we read).
            var billed = usage.Single().CompletionTokens;
            Assert.InRange(billed, 32, 480);
            Assert.Equal(0, billed % 32);
        }
    }

    static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    async Task<Process> StartCli(string db, int port)
    {
        var cli = Path.Combine(AppContext.BaseDirectory, "avocado.dll");
        var psi = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { cli, "serve", "--model", $"{GatewayFixture.Model}={f.CheckpointDir}", "--db", db, "--urls", $"http://127.0.0.1:{port}", "--max-context", "512" },
            RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false,
        };
        var p = Process.Start(psi)!;
        var stderr = new StringBuilder();
        p.ErrorDataReceived += (_, e) => { lock (stderr) stderr.AppendLine(e.Data); };
        p.BeginErrorReadLine();
        p.BeginOutputReadLine();
        string Errors() { lock (stderr) return stderr.ToString(); } // lines arrive on another thread
        using var probe = new HttpClient();
        for (int i = 0; i < 300; i++)
        {
            if (p.HasExited) throw new InvalidOperationException("avocado serve exited: " + Errors());
            try
            {
                var r = await probe.GetAsync($"http://127.0.0.1:{port}/v1/models");
                if ((int)r.StatusCode == 401) return p; // up (and asking for a key)
            }
            catch (HttpRequestException) { }
            await Task.Delay(100);
        }
        p.Kill(true);
        throw new TimeoutException("avocado serve did not start: " + Errors());
    }
}
