using System.Threading.Channels;
using Microsoft.Data.Sqlite;

namespace Avocado.Serving.Billing;

/// <summary>
/// The embedded backend: one SQLite file in WAL mode (readers never block the writer). Every write transaction
/// starts with BEGIN IMMEDIATE, taking the database's single write lock before reading anything, so a
/// check-then-write (balance → reservation) cannot interleave with another writer in this or any other process;
/// other processes wait up to BusyTimeout for it. Inside one process, writes queue for a single writer (no
/// spinning on SQLite's busy handler) that runs on one long-lived connection (PRAGMAs set once, commands kept
/// prepared: <see cref="CommandCache"/>) and commits in groups: the writes queued so far run in one transaction,
/// each in its own SAVEPOINT (a failing write rolls back only itself), and their callers are answered after the
/// COMMIT. Durability (see <see cref="Durability"/>): the writer commits with synchronous=NORMAL and never waits for
/// the disk; callers of Immediate writes (every write that moves money) are answered only after <see cref="WalSync"/>
/// has fsynced the WAL past their commit, so a charge they were told of survives power loss; one fsync covers every
/// commit before it. Deferred writes (reservations) are answered at COMMIT.
/// </summary>
internal sealed class SqliteBillingStore : SqlBillingStore
{
    private readonly string _path;
    private readonly string _connectionString;
    private readonly long _busyMilliseconds;
    private const int MaxBatch = 64;
    private readonly Channel<WriteItem> _queue = Channel.CreateUnbounded<WriteItem>(new UnboundedChannelOptions { SingleReader = true, AllowSynchronousContinuations = true });
    private readonly Task _writerLoop;
    private readonly string _writerConnectionString;
    private SqliteConnection? _writer;     // used by the writer loop only
    private CommandCache? _writerCommands; // the writer's prepared commands
    private readonly WalSync _walSync;
    private long _commits;
    // Which busy_timeout each pooled SQLite connection was given (stores with other options may share the pool).
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<SQLitePCL.sqlite3, object> Configured = new();

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
        // Not pooled: its synchronous=NORMAL must never reach a connection that writes without the WAL syncer.
        _writerConnectionString = new SqliteConnectionStringBuilder(_connectionString) { Pooling = false }.ToString();
        _walSync = new WalSync(path);
        _writerLoop = Task.Run(WriterLoopAsync);
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

    protected override async Task<T> WriteAsync<T>(Func<Db, Task<T>> work, CancellationToken ct, Durability durability = Durability.Immediate)
    {
        ct.ThrowIfCancellationRequested();
        if (_walSync.Failure is { } failure) throw failure;
        var write = new Write<T>(work, durability, ct);
        if (!_queue.Writer.TryWrite(write)) throw new ObjectDisposedException(nameof(SqliteBillingStore));
        return await write.Done;
    }

    /// <summary>One queued write transaction's work and its caller's answer.</summary>
    private abstract class WriteItem(Durability durability, CancellationToken ct) : IDurableWaiter
    {
        public Durability Durability { get; } = durability;
        public CancellationToken Ct { get; } = ct;
        public abstract Task RunAsync(Db db);
        public abstract void Succeed();
        public abstract void Fail(Exception e);
    }

    private sealed class Write<T>(Func<Db, Task<T>> work, Durability durability, CancellationToken ct) : WriteItem(durability, ct)
    {
        private readonly TaskCompletionSource<T> _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private T? _result;

        public Task<T> Done => _done.Task;

        public override async Task RunAsync(Db db) => _result = await work(db);

        public override void Succeed() => _done.TrySetResult(_result!);

        public override void Fail(Exception e) => _done.TrySetException(e);
    }

    /// <summary>
    /// The single writer: takes every write queued so far (up to <see cref="MaxBatch"/>) and runs them in one
    /// BEGIN IMMEDIATE … COMMIT, each inside its own SAVEPOINT so a failing one rolls back only itself. Callers are
    /// answered after the COMMIT (Immediate ones after the WAL sync that follows it), never before.
    /// </summary>
    private async Task WriterLoopAsync()
    {
        var batch = new List<WriteItem>(MaxBatch);
        while (await _queue.Reader.WaitToReadAsync())
        {
            batch.Clear();
            while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var item))
            {
                if (item.Ct.IsCancellationRequested) item.Fail(new OperationCanceledException(item.Ct));
                else batch.Add(item);
            }
            try
            {
                await RunBatchAsync(batch);
            }
            catch (Exception e)
            {
                foreach (var item in batch) item.Fail(e); // a bug in the loop must not leave callers waiting forever
                CloseWriter();
            }
        }
    }

    private async Task RunBatchAsync(List<WriteItem> batch)
    {
        var pending = batch;
        while (pending.Count > 0)
        {
            SqliteConnection connection;
            SqliteTransaction transaction;
            try
            {
                if (_writer is null)
                {
                    _writer = await OpenConnectionAsync(CancellationToken.None, _writerConnectionString);
                    _writerCommands = new CommandCache();
                    // Checkpoints run inside the COMMIT that crosses the threshold and hold the write lock for ~1 ms (copy
                    // the pages back, sync the database file). Every 4,000 pages instead of SQLite's 1,000: at 1,000
                    // requests/s that cut the writer's checkpoint stalls from ~260 to ~100 ms per 25 s, for a WAL of up
                    // to 16 MB.
                    await new Db(_writer, null, _writerCommands).Sql("PRAGMA synchronous = NORMAL; PRAGMA wal_autocheckpoint = 4000")
                        .ExecuteAsync(CancellationToken.None);
                    _walSync.WriterReopened();
                }
                connection = _writer;
                transaction = connection.BeginTransaction(deferred: false); // BEGIN IMMEDIATE
            }
            catch (Exception e)
            {
                var failure = Translate(e);
                foreach (var item in pending) item.Fail(failure);
                if (_writer is not null && !IsIdle(_writer)) CloseWriter();
                return;
            }

            var db = new Db(connection, transaction, _writerCommands);
            bool savepoints = pending.Count > 1;
            var done = new List<WriteItem>(pending.Count);
            var again = new List<WriteItem>();
            bool broken = false;
            using (transaction)
            {
                for (int i = 0; i < pending.Count; i++)
                {
                    var item = pending[i];
                    if (broken) { again.Add(item); continue; }
                    if (item.Ct.IsCancellationRequested) { item.Fail(new OperationCanceledException(item.Ct)); continue; }
                    try
                    {
                        if (savepoints) await db.Sql("SAVEPOINT avocado_write").ExecuteAsync(CancellationToken.None);
                        await item.RunAsync(db);
                        if (savepoints) await db.Sql("RELEASE avocado_write").ExecuteAsync(CancellationToken.None);
                        done.Add(item);
                    }
                    catch (Exception e)
                    {
                        item.Fail(Translate(e));
                        if (!savepoints) { broken = true; continue; }
                        try
                        {
                            await db.Sql("ROLLBACK TO avocado_write").ExecuteAsync(CancellationToken.None);
                            await db.Sql("RELEASE avocado_write").ExecuteAsync(CancellationToken.None);
                        }
                        catch (Exception)
                        {
                            broken = true;
                        }
                        if (broken || IsIdle(connection))
                        {
                            // SQLite rolled the whole transaction back (I/O error, out of memory …): the writes done
                            // so far were lost before anyone was answered, so they run again in a new transaction.
                            broken = true;
                            again.AddRange(done);
                            done.Clear();
                        }
                    }
                }
                if (!broken && done.Count > 0)
                {
                    try
                    {
                        transaction.Commit();
                        Interlocked.Increment(ref _commits);
                    }
                    catch (Exception e)
                    {
                        var failure = Translate(e);
                        foreach (var item in done) item.Fail(failure);
                        done.Clear();
                    }
                }
            }
            // Disposing the transaction rolled back whatever did not commit. A connection left inside a transaction
            // (the rollback failed too) is not trusted again: close it; the next batch reopens.
            if (!IsIdle(connection)) CloseWriter();
            List<IDurableWaiter>? durable = null;
            foreach (var item in done)
            {
                if (item.Durability == Durability.Deferred) item.Succeed();
                else (durable ??= []).Add(item);
            }
            if (durable is not null) _walSync.AfterNextSync(durable);
            pending = again;
        }
    }

    internal WalSync WalSync => _walSync;

    /// <summary>Write transactions committed so far, and the WAL fsyncs that made them durable (one may cover many).</summary>
    internal (long Commits, long Syncs) Durable => (Interlocked.Read(ref _commits), _walSync.Syncs);

    private Exception Translate(Exception e) => e is SqliteException { SqliteErrorCode: 5 or 6 } // SQLITE_BUSY, SQLITE_LOCKED
        ? new TimeoutException($"{_path}: another process held the billing database's write lock longer than BusyTimeout ({_busyMilliseconds} ms)", e)
        : e;

    /// <summary>True when the connection is open and in autocommit mode (no transaction left behind).</summary>
    private static bool IsIdle(SqliteConnection connection) =>
        connection.State == System.Data.ConnectionState.Open && connection.Handle is { } db && SQLitePCL.raw.sqlite3_get_autocommit(db) != 0;

    private void CloseWriter()
    {
        _writerCommands?.Dispose();
        _writerCommands = null;
        _writer?.Dispose();
        _writer = null;
    }

    protected override async Task<T> ReadAsync<T>(Func<Db, Task<T>> work, CancellationToken ct)
    {
        await using var connection = await OpenConnectionAsync(ct);
        return await work(new Db(connection, null));
    }

    private async Task<SqliteConnection> OpenConnectionAsync(CancellationToken ct, string? connectionString = null)
    {
        var connection = new SqliteConnection(connectionString ?? _connectionString);
        try
        {
            await connection.OpenAsync(ct);
            // Per SQLite connection, once: a pooled connection keeps them, and its handle outlives this wrapper.
            if (!Configured.TryGetValue(connection.Handle!, out var busy) || (long)busy != _busyMilliseconds)
            {
                await new Db(connection, null).Sql($"PRAGMA busy_timeout = {_busyMilliseconds}; PRAGMA synchronous = FULL").ExecuteAsync(ct);
                Configured.AddOrUpdate(connection.Handle!, _busyMilliseconds);
            }
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    public override async ValueTask DisposeAsync()
    {
        // Writes already queued finish; later ones fail with ObjectDisposedException.
        if (_queue.Writer.TryComplete()) await _writerLoop;
        await _walSync.DisposeAsync(); // answers the last durable writes
        CloseWriter();
        // Pooled connections keep the file open; close them so the file can be moved or deleted.
        using (var connection = new SqliteConnection(_connectionString)) SqliteConnection.ClearPool(connection);
    }
}

