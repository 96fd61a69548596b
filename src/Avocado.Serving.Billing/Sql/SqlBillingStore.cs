using System.Text.Json;

namespace Avocado.Serving.Billing;

// Ours, not an ORM: one hand-written SQL text per operation runs on SQLite and PostgreSQL alike, with the lock order and durability money needs (docs/BILLING.md).

/// <summary>
/// The store's logic, written once in SQL both backends run; a subclass supplies connections, transactions and
/// the row-lock clause. Concurrency rule: every transaction that moves money or holds (reserve, settle,
/// release, credit) first locks the tenant (<see cref="LockTenantAsync"/>), so per-tenant money changes are
/// serial across every process; rate buckets are locked per key inside it, always in that order (no deadlocks).
/// </summary>
internal abstract partial class SqlBillingStore : IBillingStore
{
    private static readonly JsonSerializerOptions AuditJson = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    protected SqlBillingStore(BillingStoreOptions options) => Time = options.Time;

    protected TimeProvider Time { get; }

    public abstract string Backend { get; }

    /// <summary>" FOR UPDATE" where the backend has row locks; empty for SQLite, whose write transactions already hold the database's single write lock.</summary>
    protected abstract string ForUpdate { get; }

    /// <summary>Runs <paramref name="work"/> in a write transaction and commits it (retrying whole transactions where the backend asks to).</summary>
    protected abstract Task<T> WriteAsync<T>(Func<Db, Task<T>> work, CancellationToken ct, Durability durability = Durability.Immediate);

    /// <summary>Runs <paramref name="work"/> on a connection without a transaction (each statement sees committed data).</summary>
    protected abstract Task<T> ReadAsync<T>(Func<Db, Task<T>> work, CancellationToken ct);

    public abstract ValueTask DisposeAsync();

    protected long Now() => Rows.Micros(Time.GetUtcNow());

    /// <summary>
    /// Locks the tenant row until commit where the backend has row locks; a no-op (no statement) where the write
    /// transaction already holds the database's single write lock (SQLite's BEGIN IMMEDIATE), which serialises
    /// every money change just the same. For callers that do not need to know whether the tenant exists.
    /// </summary>
    private Task LockTenantForWriteAsync(Db db, string tenantId, CancellationToken ct) =>
        ForUpdate.Length == 0 ? Task.CompletedTask : LockTenantAsync(db, tenantId, ct);

    /// <summary>Locks the tenant row until commit; false when there is no such tenant.</summary>
    private async Task<bool> LockTenantAsync(Db db, string tenantId, CancellationToken ct) =>
        await db.Sql($"SELECT 1 FROM tenants WHERE id = @t{ForUpdate}").Arg("t", tenantId).Int64Async(ct) is not null;

    private async Task<AuditEntry> AuditAsync(Db db, string actor, string action, string? tenantId, string? target, object details, long now, CancellationToken ct)
    {
        string json = details as string ?? JsonSerializer.Serialize(details, AuditJson);
        long id = await db.Sql("""
            INSERT INTO audit_log (created_at, actor, action, tenant_id, target, details)
            VALUES (@at, @actor, @action, @tenant, @target, @details) RETURNING id
            """).Arg("at", now).Arg("actor", actor).Arg("action", action).Arg("tenant", tenantId).Arg("target", target)
            .Arg("details", json).Int64Async(ct) ?? throw new InvalidOperationException("INSERT … RETURNING gave no id");
        return new AuditEntry(id, Rows.Time(now), actor, action, tenantId, target, json);
    }

    /// <summary>For tests and operators: runs raw SQL in a write transaction (e.g. to prove the ledger refuses UPDATE).</summary>
    internal Task<int> ExecuteRawAsync(string sql, CancellationToken ct = default) => WriteAsync(db => db.Sql(sql).ExecuteAsync(ct), ct);

    /// <summary>For tests: every value of one column of one table, as text.</summary>
    internal Task<List<string?>> ReadColumnAsync(string table, string column, CancellationToken ct = default) =>
        ReadAsync(db => db.Sql($"SELECT CAST({column} AS TEXT) FROM {table}").ListAsync(r => r.IsDBNull(0) ? null : r.GetString(0), ct), ct);

    private static void RequireText(string? value, string name, int maxLength = 256)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(value, name);
        if (value.Length > maxLength) throw new ArgumentException($"{name} is longer than {maxLength} characters", name);
    }
}
