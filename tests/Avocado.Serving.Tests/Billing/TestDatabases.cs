using Avocado.Serving.Billing;
using Npgsql;

namespace Avocado.Serving.Tests.Billing;

/// <summary>Hands out fresh, empty databases (as connection strings) to one test class, and removes them afterwards.</summary>
public interface ITestDatabases
{
    Task<string> NewDatabaseAsync();
}

/// <summary>A temporary directory per test class; a new SQLite file per test.</summary>
public sealed class SqliteDatabases : ITestDatabases, IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("avocado-billing-").FullName;

    public Task<string> NewDatabaseAsync() => Task.FromResult(Path.Combine(_dir, $"billing-{Guid.NewGuid():N}.db"));

    public void Dispose()
    {
        try { Directory.Delete(_dir, recursive: true); }
        catch (IOException) { } // a store left open by a failed test; the OS cleans temp eventually
    }
}

/// <summary>
/// A new schema per test in the PostgreSQL named by AVOCADO_TEST_POSTGRES, else by .build/postgres/connection
/// (written by scripts/postgres start). Without either, every PostgreSQL test fails saying so: never skipped.
/// </summary>
public sealed class PostgresDatabases : ITestDatabases, IAsyncLifetime
{
    private const string EnvironmentVariable = "AVOCADO_TEST_POSTGRES";
    private readonly List<string> _schemas = [];
    private readonly NpgsqlConnectionStringBuilder? _server;
    private readonly string _missing = "";

    public PostgresDatabases()
    {
        string? connection = Environment.GetEnvironmentVariable(EnvironmentVariable);
        string source = EnvironmentVariable;
        if (string.IsNullOrWhiteSpace(connection))
        {
            var file = RepositoryFile(Path.Combine(".build", "postgres", "connection"));
            source = file ?? ".build/postgres/connection";
            connection = file is null ? null : File.ReadAllText(file).Trim();
        }
        if (string.IsNullOrWhiteSpace(connection))
        {
            _missing = $"the PostgreSQL billing tests need a server: run `scripts/postgres start` (it writes .build/postgres/connection), or set {EnvironmentVariable} to a connection string";
            return;
        }
        _server = ConnectionTarget.Parse(connection) is ConnectionTarget.Postgres p
            ? p.Settings
            : throw new InvalidOperationException($"{source} does not name a PostgreSQL database: '{ConnectionTarget.Redact(connection)}'");
    }

    public Task<string> NewDatabaseAsync()
    {
        if (_server is null) throw new InvalidOperationException(_missing);
        string schema = $"avocado_test_{Guid.NewGuid():N}";
        lock (_schemas) _schemas.Add(schema);
        // The store creates the schema on open; Host=… form on purpose (URIs are covered by the parser tests).
        var b = new NpgsqlConnectionStringBuilder(_server.ConnectionString) { SearchPath = schema };
        return Task.FromResult(b.ConnectionString);
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_server is null || _schemas.Count == 0) return;
        try
        {
            await using var connection = new NpgsqlConnection(_server.ConnectionString);
            await connection.OpenAsync();
            foreach (var schema in _schemas)
            {
                await using var drop = new NpgsqlCommand($"DROP SCHEMA IF EXISTS \"{schema}\" CASCADE", connection);
                await drop.ExecuteNonQueryAsync();
            }
        }
        catch (NpgsqlException e) when (e is not PostgresException)
        {
            // The server went away: the tests already failed saying so, and there is nothing to clean.
        }
    }

    /// <summary>A file relative to the repository root (the directory holding Avocado.slnx), if it exists.</summary>
    private static string? RepositoryFile(string relative)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (!File.Exists(Path.Combine(dir.FullName, "Avocado.slnx"))) continue;
            string path = Path.Combine(dir.FullName, relative);
            return File.Exists(path) ? path : null;
        }
        return null;
    }
}
