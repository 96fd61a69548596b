using System.Text.RegularExpressions;
using Npgsql;

namespace Avocado.Serving.Billing;

/// <summary>
/// Which database a connection string names: "postgres://user:pass@host:port/db?schema=s" (or postgresql://)
/// and Npgsql key-value strings ("Host=…;Database=…") are PostgreSQL; "sqlite:PATH" or a bare file path is SQLite.
/// </summary>
internal abstract partial record ConnectionTarget
{
    public sealed record Sqlite(string Path) : ConnectionTarget;

    public sealed record Postgres(NpgsqlConnectionStringBuilder Settings) : ConnectionTarget
    {
        /// <summary>The first schema of the search path, created on open when missing; null for the default (public).</summary>
        public string? Schema
        {
            get
            {
                var first = Settings.SearchPath?.Split(',')[0].Trim().Trim('"');
                return string.IsNullOrEmpty(first) || first == "$user" ? null : first;
            }
        }
    }

    public static ConnectionTarget Parse(string connection)
    {
        if (string.IsNullOrWhiteSpace(connection))
            throw new ArgumentException("the billing connection string is empty: give a SQLite file path or a postgres:// URI", nameof(connection));
        string c = connection.Trim();
        if (c.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase) || c.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase))
            return new Postgres(FromUri(c));
        if (KeyValueHost().IsMatch(c))
        {
            try { return new Postgres(new NpgsqlConnectionStringBuilder(c)); }
            catch (ArgumentException e) { throw new ArgumentException($"invalid PostgreSQL connection string: {e.Message}", nameof(connection), e); }
        }
        string path = c.StartsWith("sqlite:", StringComparison.OrdinalIgnoreCase) ? c["sqlite:".Length..] : c;
        if (path.Length == 0 || path == ":memory:" || path.StartsWith("file:", StringComparison.OrdinalIgnoreCase))
            throw new ArgumentException($"'{connection}': SQLite needs a file path (several processes and connections share it; in-memory databases cannot)", nameof(connection));
        if (path.Contains(';') && path.Contains('='))
            throw new ArgumentException($"'{connection}' looks like a key=value connection string but has no Host=: for PostgreSQL give Host=…, for SQLite a file path", nameof(connection));
        return new Sqlite(Path.GetFullPath(path));
    }

    private static NpgsqlConnectionStringBuilder FromUri(string uri)
    {
        if (!Uri.TryCreate(uri, UriKind.Absolute, out var u) || string.IsNullOrEmpty(u.Host))
            throw new ArgumentException($"invalid PostgreSQL URI (expected postgres://user:password@host:port/database): {Redact(uri)}", nameof(uri));
        var b = new NpgsqlConnectionStringBuilder { Host = u.Host.Trim('[', ']'), Port = u.IsDefaultPort || u.Port < 0 ? 5432 : u.Port };
        if (u.UserInfo.Length > 0)
        {
            int colon = u.UserInfo.IndexOf(':');
            b.Username = Uri.UnescapeDataString(colon < 0 ? u.UserInfo : u.UserInfo[..colon]);
            if (colon >= 0) b.Password = Uri.UnescapeDataString(u.UserInfo[(colon + 1)..]);
        }
        string database = Uri.UnescapeDataString(u.AbsolutePath.Trim('/'));
        if (database.Length > 0) b.Database = database;
        foreach (var pair in u.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            int eq = pair.IndexOf('=');
            string key = Uri.UnescapeDataString(eq < 0 ? pair : pair[..eq]);
            string value = eq < 0 ? "" : Uri.UnescapeDataString(pair[(eq + 1)..]);
            string keyword = key.ToLowerInvariant() switch
            {
                "schema" or "search_path" => "Search Path",
                "sslmode" => "SSL Mode",
                "application_name" => "Application Name",
                "connect_timeout" => "Timeout",
                _ => key, // an Npgsql keyword as it is ("Maximum Pool Size", …)
            };
            try { b[keyword] = value; }
            catch (ArgumentException e) { throw new ArgumentException($"PostgreSQL URI parameter '{key}' is not understood: {e.Message}", nameof(uri), e); }
        }
        return b;
    }

    /// <summary>The URI without its password, for error messages.</summary>
    internal static string Redact(string uri) => UriPassword().Replace(uri, "$1:***@");

    [GeneratedRegex(@"(?:^|;)\s*(?:host|server)\s*=", RegexOptions.IgnoreCase)]
    private static partial Regex KeyValueHost();

    [GeneratedRegex(@"^(\w+://[^:/@]*):[^@]*@")]
    private static partial Regex UriPassword();
}
