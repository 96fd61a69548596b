using Avocado.Serving.Billing;
using Avocado.Serving.Gateway;
using Avocado.Serving.Gateway.Backends;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Avocado.Bench.Gateway;

/// <summary>A real gateway on loopback in front of the fake upstream, with everything on: a billing store (SQLite
/// file or a fresh PostgreSQL schema), one tenant with ample credit, a price for "bench", and an API key whose
/// requests- and tokens-per-minute limits are set (so the limiter runs on every request) but never reached.</summary>
sealed class GatewayUnderTest : IAsyncDisposable
{
    public const string Model = "bench";

    readonly WebApplication app;
    readonly HttpClient upstreamClient;
    readonly Func<Task> cleanUp;
    public IBillingStore Billing { get; }
    public string TenantId { get; }
    public string Key { get; }
    public Uri BaseUrl { get; }
    public string Description { get; }
    public string KeyId { get; private init; } = "";
    public string InstanceId { get; private init; } = "";

    GatewayUnderTest(WebApplication app, HttpClient upstreamClient, Func<Task> cleanUp, IBillingStore billing, string tenantId, string key, Uri baseUrl, string description)
        => (this.app, this.upstreamClient, this.cleanUp, Billing, TenantId, Key, BaseUrl, Description) = (app, upstreamClient, cleanUp, billing, tenantId, key, baseUrl, description);

    public static async Task<GatewayUnderTest> StartAsync(string db, string? pgUri, string? sqliteDir, string? whatIf, Uri upstream)
    {
        var (connection, description, cleanUp) = db == "postgres" ? PostgresTarget(pgUri) : SqliteTarget(sqliteDir ?? Path.GetTempPath());
        var billing = await BillingStore.OpenAsync(connection);
        var tenant = await billing.CreateTenantAsync("bench", "bench");
        var key = await billing.CreateApiKeyAsync(new NewApiKey(tenant.Id, "bench")
        {
            RequestsPerMinute = 100_000_000, // ~1,700× the load: counted on every request, never reached
            TokensPerMinute = 1_000_000_000,
        }, "bench");
        await billing.SetPriceAsync(Price.FromDollars(Model, 1m, 2m), "bench");
        await billing.PostCreditAsync(tenant.Id, LedgerKind.Grant, Money.FromDollars(1_000_000), "bench");

        var options = new GatewayOptions();
        await GatewayHost.StartBillingAsync(billing, options);
        var http = new HttpClient(new SocketsHttpHandler { PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5) }) { Timeout = TimeSpan.FromSeconds(30) };
        var models = new ModelRegistry([UpstreamBackend.Create(Model, new Uri(upstream, "/v1").ToString(), http)]);
        var served = whatIf is null ? billing : await WhatIfBilling.WrapAsync(billing, whatIf, key.Secret, key.Key.Id);
        var app = GatewayHost.Build(options, served, models, ["http://127.0.0.1:0"]);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new GatewayUnderTest(app, http, cleanUp, billing, tenant.Id, key.Secret, new Uri(address), description + (whatIf is null ? "" : $" — DIAGNOSTIC --what-if {whatIf}, not the gateway as it is"))
        { KeyId = key.Key.Id, InstanceId = options.InstanceId };
    }

    static (string, string, Func<Task>) SqliteTarget(string parent)
    {
        var dir = Path.Combine(parent, "avocado-bench-" + Guid.NewGuid().ToString("N")[..8]);
        var path = Path.Combine(dir, "billing.db");
        return (path, $"sqlite ({path}; WAL; charges answered after a WAL fsync, reservations at commit)", () =>
        {
            try { Directory.Delete(dir, true); } catch (IOException) { }
            return Task.CompletedTask;
        });
    }

    /// <summary>A fresh schema per run (bench_xxxxxxxx) in the database the URI names, dropped afterwards.</summary>
    static (string, string, Func<Task>) PostgresTarget(string? uri)
    {
        uri ??= Environment.GetEnvironmentVariable("AVOCADO_BENCH_PG") ?? FindConnectionFile()
            ?? throw new ArgumentException("--db postgres needs a URI: run scripts/postgres start, or pass --pg postgres://user:pass@host:port/db");
        var schema = "bench_" + Guid.NewGuid().ToString("N")[..8];
        var withSchema = uri + (uri.Contains('?') ? "&" : "?") + "schema=" + schema;
        var u = new Uri(uri);
        var user = u.UserInfo.Split(':', 2);
        var admin = new NpgsqlConnectionStringBuilder
        {
            Host = u.Host, Port = u.IsDefaultPort || u.Port < 0 ? 5432 : u.Port, Database = Uri.UnescapeDataString(u.AbsolutePath.Trim('/')),
            Username = Uri.UnescapeDataString(user[0]), Password = user.Length > 1 ? Uri.UnescapeDataString(user[1]) : null,
        }.ToString();
        return (withSchema, $"postgres ({u.Host}:{u.Port}/{u.AbsolutePath.Trim('/')}, schema {schema})", async () =>
        {
            NpgsqlConnection.ClearAllPools();
            await using var c = new NpgsqlConnection(admin);
            await c.OpenAsync();
            await using var drop = new NpgsqlCommand($"DROP SCHEMA IF EXISTS {schema} CASCADE", c);
            await drop.ExecuteNonQueryAsync();
        });
    }

    /// <summary>.build/postgres/connection, written by scripts/postgres start, in this directory or one above it.</summary>
    static string? FindConnectionFile()
    {
        for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
        {
            var file = Path.Combine(dir.FullName, ".build", "postgres", "connection");
            if (File.Exists(file)) return File.ReadAllText(file).Trim();
        }
        return null;
    }

    public async ValueTask DisposeAsync()
    {
        var models = app.Services.GetRequiredService<ModelRegistry>();
        await app.StopAsync();
        await app.DisposeAsync();
        await models.DisposeAsync();
        upstreamClient.Dispose();
        await Billing.DisposeAsync();
        await cleanUp();
    }
}
