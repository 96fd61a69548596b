namespace Avocado.Serving.Billing;

/// <summary>
/// The gateway's money and access layer over one database (SQLite or PostgreSQL, see <see cref="BillingStore.Open"/>).
/// Safe for concurrent use by many requests, and by many processes sharing the database.
/// Admin operations take an actor (who did it) and are audited in the same transaction.
/// </summary>
public interface IBillingStore :
    ITenantStore, IApiKeyStore, IPriceStore, ICreditLedger, IReservationStore, IRateLimitStore, IUsageStore, IAuditLog,
    IAsyncDisposable
{
    /// <summary>"sqlite" or "postgres".</summary>
    string Backend { get; }
}
