using System.Globalization;
using System.Text.Json;
using Avocado.Serving.Billing;

namespace Avocado.Cli.Commands;

/// <summary><c>avocado tenants|keys|prices|credits|usage …</c>: administration straight on the billing database
/// (the same one <c>serve</c> uses), audited with the actor "cli:USER".</summary>
public static class AdminCommands
{
    static string Actor => "cli:" + Environment.UserName;

    /// <summary>Opens the billing database of <c>--db</c> and runs one admin action on it.</summary>
    public static async Task<int> RunAsync(CommandArgs a, Func<IBillingStore, CommandArgs, Task<int>> action)
    {
        var db = a.Option("db") ?? ServeCommand.DefaultDb;
        if (!db.Contains('=') && !db.Contains("://") && Path.GetDirectoryName(Path.GetFullPath(db)) is { } parent) Directory.CreateDirectory(parent);
        await using var store = await BillingStore.OpenAsync(db);
        return await action(store, a);
    }

    public static async Task<int> TenantList(IBillingStore store, CommandArgs a) =>
        await Print(a, (await store.ListTenantsAsync()).Select(t => new { t.Id, t.Name, t.CreatedAt }));

    public static async Task<int> KeyList(IBillingStore store, CommandArgs a) =>
        await Print(a, (await store.ListApiKeysAsync(Required(a, "tenant"))).Select(k => new
        {
            k.Id, k.Name, k.Prefix, k.CreatedAt, k.ExpiresAt, k.RevokedAt, Models = k.AllowedModels, Rpm = k.RequestsPerMinute, Tpm = k.TokensPerMinute,
        }));

    public static async Task<int> PriceList(IBillingStore store, CommandArgs a) =>
        await Print(a, (await store.ListPricesAsync()).Select(p => new
        {
            p.Model, InputPerMillionUsd = Money.ToDollars(p.InputPerMillion), OutputPerMillionUsd = Money.ToDollars(p.OutputPerMillion),
        }));

    public static async Task<int> TenantCreate(IBillingStore store, CommandArgs a)
    {
        var name = a.Positional(0, "tenant name");
        var t = await store.CreateTenantAsync(name, Actor);
        Console.WriteLine(t.Id);
        Console.Error.WriteLine($"created tenant '{t.Name}' ({t.Id})");
        return 0;
    }

    public static async Task<int> KeyCreate(IBillingStore store, CommandArgs a)
    {
        var tenant = Required(a, "tenant");
        var key = new NewApiKey(tenant, a.Option("name") ?? "key")
        {
            AllowedModels = a.Option("models")?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
            RequestsPerMinute = a.Int("rpm"),
            TokensPerMinute = a.Int("tpm"),
            ExpiresAt = a.Option("expires") is { } e
                ? DateTimeOffset.TryParse(e, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at) ? at
                    : throw new UsageException($"--expires: '{e}' is not a date/time (e.g. 2026-12-31)")
                : null,
        };
        if (await store.GetTenantAsync(tenant) is null) throw new UsageException($"no tenant '{tenant}' (see 'avocado tenants list')");
        var created = await store.CreateApiKeyAsync(key, Actor);
        Console.WriteLine(created.Secret);
        Console.Error.WriteLine($"created key {created.Key.Id} ({created.Key.Prefix}…) for tenant {tenant}; the secret above is shown only once");
        return 0;
    }

    public static async Task<int> KeyRevoke(IBillingStore store, CommandArgs a)
    {
        var id = a.Positional(0, "key id");
        if (!await store.RevokeApiKeyAsync(id, Actor)) throw new UsageException($"no active key '{id}'");
        Console.WriteLine($"revoked {id}");
        return 0;
    }

    public static async Task<int> PriceSet(IBillingStore store, CommandArgs a)
    {
        var model = a.Positional(0, "model name");
        var input = Dollars(a, "input");
        var output = Dollars(a, "output");
        await store.SetPriceAsync(Price.FromDollars(model, input, output), Actor);
        Console.WriteLine($"{model}: ${input} per 1M input tokens, ${output} per 1M output tokens");
        return 0;
    }

    public static async Task<int> CreditGrant(IBillingStore store, CommandArgs a)
    {
        var tenant = a.Positional(0, "tenant id");
        var amount = decimal.TryParse(a.Positional(1, "amount in USD"), NumberStyles.Number, CultureInfo.InvariantCulture, out var d) ? d
            : throw new UsageException("the amount must be a number of US dollars, e.g. 25 or 0.50");
        var note = a.Option("note");
        if (await store.GetTenantAsync(tenant) is null) throw new UsageException($"no tenant '{tenant}'");
        var entry = await store.PostCreditAsync(tenant, amount >= 0 ? LedgerKind.Grant : LedgerKind.Adjustment, Money.FromDollars(amount), Actor, note);
        Console.WriteLine($"{tenant}: {Money.Format(entry.Amount)} → balance {Money.Format(entry.BalanceAfter)}");
        return 0;
    }

    public static async Task<int> Balance(IBillingStore store, CommandArgs a)
    {
        var tenant = a.Positional(0, "tenant id");
        if (await store.GetTenantAsync(tenant) is null) throw new UsageException($"no tenant '{tenant}'");
        var b = await store.GetBalanceAsync(tenant);
        Console.WriteLine($"balance {Money.Format(b.Ledger)}, reserved {Money.Format(b.Reserved)}, available {Money.Format(b.Available)}");
        return 0;
    }

    public static async Task<int> Usage(IBillingStore store, CommandArgs a)
    {
        var group = UsageGrouping.None;
        foreach (var g in (a.Option("group-by") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries))
            group |= g switch
            {
                "tenant" => UsageGrouping.Tenant, "key" => UsageGrouping.Key, "model" => UsageGrouping.Model, "day" => UsageGrouping.Day,
                _ => throw new UsageException($"--group-by accepts tenant, key, model, day; got '{g}'"),
            };
        var query = new UsageQuery
        {
            TenantId = a.Option("tenant"), KeyId = a.Option("key"), Model = a.Option("model"),
            From = Date(a.Option("from")), To = Date(a.Option("to")), GroupBy = group,
        };
        var json = a.Flag("json");
        var rows = await store.QueryUsageAsync(query);
        if (json) { Console.WriteLine(JsonSerializer.Serialize(rows)); return 0; }
        Console.WriteLine($"{"tenant",-14} {"key",-14} {"model",-16} {"day",-10} {"requests",9} {"prompt",10} {"completion",11} {"reasoning",10} {"cost",16}");
        foreach (var r in rows)
            Console.WriteLine($"{r.TenantId ?? "*",-14} {r.KeyId ?? "*",-14} {r.Model ?? "*",-16} {r.Day?.ToString("yyyy-MM-dd") ?? "*",-10} {r.Requests,9} {r.PromptTokens,10} {r.CompletionTokens,11} {r.ReasoningTokens,10} {Money.Format(r.Cost),16}");
        return 0;
    }

    static async Task<int> Print<T>(CommandArgs a, IEnumerable<T> rows)
    {
        Console.WriteLine(JsonSerializer.Serialize(rows, new JsonSerializerOptions { WriteIndented = true }));
        await Task.CompletedTask;
        return 0;
    }

    static string Required(CommandArgs a, string name) => a.Required(name);

    static decimal Dollars(CommandArgs a, string name) =>
        decimal.TryParse(a.Required(name), NumberStyles.Number, CultureInfo.InvariantCulture, out var d) && d >= 0 ? d
            : throw new UsageException($"--{name} must be a non-negative number of US dollars per million tokens");

    static DateOnly? Date(string? s) => s is null ? null
        : DateOnly.TryParseExact(s, "yyyy-MM-dd", out var d) ? d : throw new UsageException($"'{s}' is not a date like 2026-11-24");
}
