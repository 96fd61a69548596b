using System.Data;
using System.Data.Common;

namespace Avocado.Serving.Billing;

/// <summary>
/// One SQL command on an open connection (and transaction), built fluently with typed @parameters. Nulls carry
/// their type so PostgreSQL never has to guess it. Each terminal method runs the command once and disposes it.
/// </summary>
internal readonly struct Statement
{
    private readonly DbCommand _command;

    public Statement(DbConnection connection, DbTransaction? transaction, string sql)
    {
        _command = connection.CreateCommand();
        _command.Transaction = transaction;
        _command.CommandText = sql;
    }

    public Statement Arg(string name, string? value) => Add(name, DbType.String, value);

    public Statement Arg(string name, long? value) => Add(name, DbType.Int64, value);

    private Statement Add(string name, DbType type, object? value)
    {
        var p = _command.CreateParameter();
        p.ParameterName = name;
        p.DbType = type;
        p.Value = value ?? DBNull.Value;
        _command.Parameters.Add(p);
        return this;
    }

    public async Task<int> ExecuteAsync(CancellationToken ct)
    {
        await using var c = _command;
        return await c.ExecuteNonQueryAsync(ct);
    }

    /// <summary>The first column of the first row, or null when there is no row or it is NULL.</summary>
    public async Task<long?> Int64Async(CancellationToken ct)
    {
        await using var c = _command;
        var value = await c.ExecuteScalarAsync(ct);
        return value is null or DBNull ? null : Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture);
    }

    public async Task<T?> SingleAsync<T>(Func<DbDataReader, T> map, CancellationToken ct) where T : class
    {
        await using var c = _command;
        await using var r = await c.ExecuteReaderAsync(ct);
        return await r.ReadAsync(ct) ? map(r) : null;
    }

    public async Task<List<T>> ListAsync<T>(Func<DbDataReader, T> map, CancellationToken ct)
    {
        await using var c = _command;
        await using var r = await c.ExecuteReaderAsync(ct);
        var list = new List<T>();
        while (await r.ReadAsync(ct)) list.Add(map(r));
        return list;
    }
}

/// <summary>A connection and (for writes) its transaction: where statements run.</summary>
internal sealed record Db(DbConnection Connection, DbTransaction? Transaction)
{
    public Statement Sql(string sql) => new(Connection, Transaction, sql);
}
