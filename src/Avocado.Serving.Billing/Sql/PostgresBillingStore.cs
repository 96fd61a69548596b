using System.Data;
using System.Security.Cryptography;
using System.Text;
using Npgsql;

namespace Avocado.Serving.Billing;

/// <summary>
/// The shared backend for several gateway processes. Transactions run at READ COMMITTED and serialise on row
/// locks (SELECT … FOR UPDATE on the tenant, then the key's rate buckets): after a lock is granted, each
/// statement sees everything committed before, which is all the check-then-write needs, without the
/// retry storms SERIALIZABLE would cause on a hot tenant. Deadlocks and serialization failures (which the lock
/// order should prevent) retry the whole transaction a few times, then fail loudly; spend is never dropped.
/// </summary>
internal sealed class PostgresBillingStore : SqlBillingStore
{
    private readonly NpgsqlDataSource _source;
    private readonly int _maxAttempts;

    private PostgresBillingStore(NpgsqlDataSource source, BillingStoreOptions options) : base(options)
    {
        _source = source;
        _maxAttempts = options.MaxAttempts;
    }

    public override string Backend => "postgres";

    protected override string ForUpdate => " FOR UPDATE";

    public static async Task<PostgresBillingStore> OpenAsync(ConnectionTarget.Postgres target, BillingStoreOptions options, CancellationToken ct)
    {
        var settings = target.Settings;
        // Unquoted in search_path, PostgreSQL folds names to lower case; other names would create one schema and use another.
        if (target.Schema is { } name && !System.Text.RegularExpressions.Regex.IsMatch(name, "^[a-z_][a-z0-9_]{0,62}$"))
            throw new ArgumentException($"PostgreSQL schema '{name}': use lower-case letters, digits and '_' (it must survive search_path's case folding)");
        string where = $"PostgreSQL {settings.Username}@{settings.Host}:{settings.Port}/{settings.Database}" + (target.Schema is { } s ? $" schema {s}" : "");
        var store = new PostgresBillingStore(NpgsqlDataSource.Create(settings.ConnectionString), options);
        try
        {
            await store.WriteAsync(async db =>
            {
                // Processes opening the same schema together take turns; the first creates it, the rest find it current.
                await db.Sql("SELECT pg_advisory_xact_lock(@k)").Arg("k", MigrationLockKey(target.Schema)).ExecuteAsync(ct);
                if (target.Schema is { } schema)
                    await db.Sql($"CREATE SCHEMA IF NOT EXISTS {schema}").ExecuteAsync(ct);
                await SchemaMigrator.MigrateAsync(db, Schema.Dialect.Postgres, store.Now(), where, ct);
                return true;
            }, ct);
            return store;
        }
        catch (Exception e) when (e is NpgsqlException || e is TimeoutException)
        {
            await store.DisposeAsync();
            string hint = e is PostgresException pg && pg.SqlState.StartsWith("28", StringComparison.Ordinal)
                ? "check the user name and password"
                : "is the server running and the database created? locally: scripts/postgres start";
            throw new InvalidOperationException($"cannot open {where}: {e.Message} ({hint})", e);
        }
        catch
        {
            await store.DisposeAsync();
            throw;
        }
    }

    // Every write commits synchronously here, deferred ones included: the database server can crash while the
    // gateways live on, and a reservation lost that way could not be settled (see Durability).
    protected override async Task<T> WriteAsync<T>(Func<Db, Task<T>> work, CancellationToken ct, Durability durability = Durability.Immediate)
    {
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                await using var connection = await _source.OpenConnectionAsync(ct);
                await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.ReadCommitted, ct);
                var result = await work(new Db(connection, transaction));
                await transaction.CommitAsync(ct);
                return result;
            }
            catch (PostgresException e) when (attempt < _maxAttempts &&
                e.SqlState is PostgresErrorCodes.DeadlockDetected or PostgresErrorCodes.SerializationFailure)
            {
                // The transaction was rolled back as a whole; a short random pause de-synchronises the contenders.
                await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(1, 10 * attempt)), Time, ct);
            }
        }
    }

    protected override async Task<T> ReadAsync<T>(Func<Db, Task<T>> work, CancellationToken ct)
    {
        await using var connection = await _source.OpenConnectionAsync(ct);
        return await work(new Db(connection, null));
    }

    public override ValueTask DisposeAsync() => _source.DisposeAsync();

    private static long MigrationLockKey(string? schema) =>
        BitConverter.ToInt64(SHA256.HashData(Encoding.UTF8.GetBytes("avocado-billing-migration:" + (schema ?? "public"))));
}
