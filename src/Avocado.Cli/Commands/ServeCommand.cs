using Avocado.Cli.Serving;
using Avocado.Serving.Billing;
using Avocado.Inference;
using Avocado.Serving.Gateway;
using Avocado.Serving.Gateway.Backends;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;

namespace Avocado.Cli.Commands;

/// <summary><c>avocado serve --model NAME=DIR … [--upstream NAME=URL] [--db …] [--urls …] [--admin-key KEY]</c>.</summary>
public static class ServeCommand
{
    /// <summary>The embedded default database: a SQLite file under ./.avocado, or $AVOCADO_DB.</summary>
    public static string DefaultDb => Environment.GetEnvironmentVariable("AVOCADO_DB") is { Length: > 0 } db ? db
        : Path.Combine(".avocado", "avocado.db");

    public static async Task<int> RunAsync(CommandArgs a)
    {
        var locals = a.Options("model");
        var upstreams = a.Options("upstream");
        var db = a.Option("db") ?? DefaultDb;
        var urls = (a.Option("urls") ?? "http://127.0.0.1:8080").Split(';', StringSplitOptions.RemoveEmptyEntries);
        var adminKey = a.Option("admin-key") ?? Environment.GetEnvironmentVariable("AVOCADO_ADMIN_KEY");
        var maxBatch = a.Int("max-batch") ?? 8;
        var maxContext = a.Int("max-context") ?? 4096;
        var verbose = a.Flag("verbose");
        var instanceOption = a.Option("instance-id");
        if (locals.Count + upstreams.Count == 0) throw new UsageException("give at least one --model NAME=DIR or --upstream NAME=URL");

        var instance = instanceOption ?? $"{Environment.MachineName}|{string.Join(";", urls)}";
        var options = new GatewayOptions { AdminKey = adminKey, InstanceId = instance };
        options.Validate();
        var backends = new List<IModelBackend>();
        foreach (var (name, dir) in locals.Select(Split))
        {
            Console.Error.WriteLine($"[serve] loading {name} from {dir}");
            backends.Add(LocalBackend.Load(name, dir, new EngineOptions { MaxBatch = maxBatch, MaxContext = maxContext }));
        }
        var http = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) }) { Timeout = Timeout.InfiniteTimeSpan };
        foreach (var (name, url) in upstreams.Select(Split))
        {
            var envName = "AVOCADO_UPSTREAM_KEY_" + new string(name.ToUpperInvariant().Select(c => char.IsAsciiLetterOrDigit(c) ? c : '_').ToArray());
            var key = Environment.GetEnvironmentVariable(envName) ?? Environment.GetEnvironmentVariable("AVOCADO_UPSTREAM_KEY");
            backends.Add(UpstreamBackend.Create(name, url, http, key));
        }
        var duplicate = backends.GroupBy(b => b.Name).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null) throw new UsageException($"model name '{duplicate.Key}' is given twice");

        if (!db.Contains('=') && !db.Contains("://") && Path.GetDirectoryName(Path.GetFullPath(db)) is { } parent) Directory.CreateDirectory(parent);
        await using var billing = await BillingStore.OpenAsync(db);
        await GatewayHost.StartBillingAsync(billing, options);
        await using var models = new ModelRegistry(backends);
        var app = GatewayHost.Build(options, billing, models, urls, logLevel: verbose ? LogLevel.Information : LogLevel.Warning);
        Console.Error.WriteLine($"[serve] {billing.Backend} billing at {db}; models: {string.Join(", ", backends.Select(b => b.Name))}");
        Console.Error.WriteLine($"[serve] listening on {string.Join(", ", urls)} (OpenAI API under /v1{(adminKey is null ? "; admin API disabled" : ", admin API under /admin")})");
        await app.RunAsync();
        return 0;
    }

    static (string Name, string Value) Split(string spec)
    {
        var eq = spec.IndexOf('=');
        if (eq <= 0 || eq == spec.Length - 1) throw new UsageException($"expected NAME=VALUE, got '{spec}'");
        return (spec[..eq], spec[(eq + 1)..]);
    }
}
