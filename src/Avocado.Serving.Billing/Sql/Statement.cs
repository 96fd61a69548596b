using System.Data;
using System.Data.Common;

namespace Avocado.Serving.Billing;

/// <summary>
/// One SQL command on an open connection (and transaction), built fluently with typed @parameters. Nulls carry
/// their type so PostgreSQL never has to guess it. Each terminal method runs the command once and disposes it,
/// unless it came from the connection's <see cref="CommandCache"/>: then it stays prepared for the next use of the
/// same SQL text (SQLite's long-lived writer connection re-executes its statements without parsing them again).
/// </summary>
internal readonly struct Statement
{
    private readonly DbCommand _command;
    private readonly bool _cached;

    public Statement(DbConnection connection, DbTransaction? transaction, string sql, CommandCache? cache)
    {
        if (cache is not null && cache.TryGet(sql, out var command))
        {
            // Its parameters stay: one SQL text always binds the same names, so Arg only sets their values.
            command.Transaction = transaction;
            _command = command;
            _cached = true;
            return;
        }
        _command = connection.CreateCommand();
        _command.Transaction = transaction;
        _command.CommandText = sql;
        _cached = cache is not null && cache.TryAdd(sql, _command);
    }

    public Statement Arg(string name, string? value) => Add(name, DbType.String, value);

    public Statement Arg(string name, long? value) => Add(name, DbType.Int64, value);

    private Statement Add(string name, DbType type, object? value)
    {
        if (_cached && _command.Parameters.IndexOf(name) is var index and >= 0)
        {
            var existing = _command.Parameters[index];
            existing.DbType = type;
            existing.Value = value ?? DBNull.Value;
            return this;
        }
        var p = _command.CreateParameter();
        p.ParameterName = name;
        p.DbType = type;
        p.Value = value ?? DBNull.Value;
        _command.Parameters.Add(p);
        return this;
    }

    /// <summary>What a terminal method disposes: the command, unless the cache keeps it.</summary>
    private DbCommand? Owned() => _cached ? null : _command;

    public async Task<int> ExecuteAsync(CancellationToken ct)
    {
        await using var _ = Owned();
        var c = _command;
        return await c.ExecuteNonQueryAsync(ct);
    }

    /// <summary>The first column of the first row, or null when there is no row or it is NULL.</summary>
    public async Task<long?> Int64Async(CancellationToken ct)
    {
        await using var _ = Owned();
        var c = _command;
        var value = await c.ExecuteScalarAsync(ct);
        return value is null or DBNull ? null : Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture);
    }

    public async Task<T?> SingleAsync<T>(Func<DbDataReader, T> map, CancellationToken ct) where T : class
    {
        await using var _ = Owned();
        var c = _command;
        await using var r = await c.ExecuteReaderAsync(ct);
        return await r.ReadAsync(ct) ? map(r) : null;
    }

    public async Task<List<T>> ListAsync<T>(Func<DbDataReader, T> map, CancellationToken ct)
    {
        await using var _ = Owned();
        var c = _command;
        await using var r = await c.ExecuteReaderAsync(ct);
        var list = new List<T>();
        while (await r.ReadAsync(ct)) list.Add(map(r));
        return list;
    }
}

/// <summary>A connection and (for writes) its transaction: where statements run; with a cache, commands are reused by SQL text.</summary>
internal sealed record Db(DbConnection Connection, DbTransaction? Transaction, CommandCache? Cache = null)
{
    public Statement Sql(string sql) => new(Connection, Transaction, sql, Cache);
}

/// <summary>
/// Commands of one long-lived connection by SQL text, so each is prepared once (Microsoft.Data.Sqlite keeps a
/// command's prepared statements while its text is unchanged). Bounded: SQL beyond the first
/// <see cref="Capacity"/> texts (ad-hoc statements) runs uncached. Used by one caller at a time.
/// </summary>
internal sealed class CommandCache : IDisposable
{
    public const int Capacity = 64;

    private readonly Dictionary<string, DbCommand> _commands = new(StringComparer.Ordinal);

    public bool TryGet(string sql, out DbCommand command) => _commands.TryGetValue(sql, out command!);

    public bool TryAdd(string sql, DbCommand command) => _commands.Count < Capacity && _commands.TryAdd(sql, command);

    public void Dispose()
    {
        foreach (var c in _commands.Values) c.Dispose();
        _commands.Clear();
    }
}
