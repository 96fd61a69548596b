using Microsoft.Data.Sqlite;

namespace Avocado.Serving.Billing;

/// <summary>
/// The embedded backend: one SQLite file in WAL mode (readers never block the writer). Every write transaction
/// starts with BEGIN IMMEDIATE, taking the database's single write lock before reading anything, so a
/// check-then-write (balance → reservation) cannot interleave with another writer in this or any other process;
/// other processes wait up to BusyTimeout for it. Inside one process an async gate queues writers first, so
/// they wait without spinning on SQLite's busy handler. synchronous=FULL: a committed charge survives power loss.
/// </summary>
internal sealed class SqliteBillingStore : SqlBillingStore
{
    private readonly string _path;
    private readonly string _connectionString;
    private readonly long _busyMilliseconds;
    private readonly SemaphoreSlim _writeGate = new(1, 1);

    private SqliteBillingStore(string path, BillingStoreOptions options) : base(options)
    {
        _path = path;
        _busyMilliseconds = (long)options.BusyTimeout.TotalMilliseconds;
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            ForeignKeys = true,
            DefaultTimeout = (int)Math.Ceiling(options.BusyTimeout.TotalSeconds) + 5,
        }.ToString();
    }

    public override string Backend => "sqlite";

    protected override string ForUpdate => "";

    public static async Task<SqliteBillingStore> OpenAsync(string path, BillingStoreOptions options, CancellationToken ct)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var store = new SqliteBillingStore(path, options);
        try
        {
            await using (var connection = await store.OpenConnectionAsync(ct))
            {
                // Persistent in the file; must run outside a transaction.
                var mode = await new Db(connection, null).Sql("PRAGMA journal_mode = WAL").SingleAsync(r => r.GetString(0), ct);
                if (!string.Equals(mode, "wal", StringComparison.OrdinalIgnoreCase))
                    throw new InvalidOperationException($"{path}: SQLite refused WAL mode (got '{mode}'); is it on a network file system?");
            }
            await store.WriteAsync(async db =>
            {
                await SchemaMigrator.MigrateAsync(db, Schema.Dialect.Sqlite, store.Now(), path, ct);
                return true;
            }, ct);
            return store;
        }
        catch
        {
            await store.DisposeAsync();
            throw;
        }
    }

    protected override async Task<T> WriteAsync<T>(Func<Db, Task<T>> work, CancellationToken ct)
    {
        await _writeGate.WaitAsync(ct);
        try
        {
            await using var connection = await OpenConnectionAsync(ct);
            await using var transaction = connection.BeginTransaction(deferred: false); // BEGIN IMMEDIATE
            var result = await work(new Db(connection, transaction));
            await transaction.CommitAsync(ct);
            return result;
        }
        catch (SqliteException e) when (e.SqliteErrorCode is 5 or 6) // SQLITE_BUSY, SQLITE_LOCKED
        {
            throw new TimeoutException($"{_path}: another process held the billing database's write lock longer than BusyTimeout ({_busyMilliseconds} ms)", e);
        }
        finally
        {
            _writeGate.Release();
        }
    }

    protected override async Task<T> ReadAsync<T>(Func<Db, Task<T>> work, CancellationToken ct)
    {
        await using var connection = await OpenConnectionAsync(ct);
        return await work(new Db(connection, null));
    }

    private async Task<SqliteConnection> OpenConnectionAsync(CancellationToken ct)
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            await connection.OpenAsync(ct);
            // Per connection (pooled ones keep them, but setting them again is cheap and always right).
            await new Db(connection, null).Sql($"PRAGMA busy_timeout = {_busyMilliseconds}; PRAGMA synchronous = FULL").ExecuteAsync(ct);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    public override ValueTask DisposeAsync()
    {
        // Pooled connections keep the file open; close them so the file can be moved or deleted.
        using (var connection = new SqliteConnection(_connectionString)) SqliteConnection.ClearPool(connection);
        _writeGate.Dispose();
        return ValueTask.CompletedTask;
    }
}
