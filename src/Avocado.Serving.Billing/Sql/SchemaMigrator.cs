namespace Avocado.Serving.Billing;

/// <summary>
/// Brings a database to <see cref="Schema.LatestVersion"/> inside the caller's transaction (which must already
/// exclude other migrators: SQLite's write lock, a PostgreSQL advisory lock), so processes opening one database
/// together migrate it once, and a failed step leaves nothing half-applied.
/// </summary>
internal static class SchemaMigrator
{
    public static async Task MigrateAsync(Db db, Schema.Dialect dialect, long now, string where, CancellationToken ct)
    {
        await db.Sql("""
            CREATE TABLE IF NOT EXISTS schema_version (
                version BIGINT PRIMARY KEY,
                description TEXT NOT NULL,
                applied_at BIGINT NOT NULL)
            """).ExecuteAsync(ct);
        long current = await db.Sql("SELECT MAX(version) FROM schema_version").Int64Async(ct) ?? 0;
        if (current > Schema.LatestVersion)
            throw new InvalidOperationException(
                $"{where}: the billing schema is at version {current}, newer than this build understands ({Schema.LatestVersion}); " +
                "run a newer Avocado or point it at another database");
        foreach (var m in Schema.Migrations(dialect).Where(m => m.Version > current).OrderBy(m => m.Version))
        {
            foreach (var statement in m.Statements) await db.Sql(statement).ExecuteAsync(ct);
            await db.Sql("INSERT INTO schema_version (version, description, applied_at) VALUES (@v, @d, @at)")
                .Arg("v", m.Version).Arg("d", m.Description).Arg("at", now).ExecuteAsync(ct);
        }
    }
}
