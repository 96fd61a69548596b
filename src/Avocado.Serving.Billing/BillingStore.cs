namespace Avocado.Serving.Billing;

/// <summary>
/// Opens the billing store named by a connection string (see <see cref="ConnectionTarget"/>): a SQLite file
/// (the embedded default: WAL mode, created on first use) or a PostgreSQL database. The schema is created or
/// migrated on open, so a fresh database needs no set-up.
/// </summary>
public static class BillingStore
{
    public static IBillingStore Open(string connection, TimeProvider? time = null) =>
        OpenAsync(connection, time).GetAwaiter().GetResult();

    public static Task<IBillingStore> OpenAsync(string connection, TimeProvider? time = null, CancellationToken ct = default) =>
        OpenAsync(connection, new BillingStoreOptions { Time = time ?? TimeProvider.System }, ct);

    public static async Task<IBillingStore> OpenAsync(string connection, BillingStoreOptions options, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        return ConnectionTarget.Parse(connection) switch
        {
            ConnectionTarget.Sqlite s => await SqliteBillingStore.OpenAsync(s.Path, options, ct),
            ConnectionTarget.Postgres p => await PostgresBillingStore.OpenAsync(p, options, ct),
            _ => throw new InvalidOperationException("unreachable"),
        };
    }
}
