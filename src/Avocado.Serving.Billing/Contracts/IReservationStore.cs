namespace Avocado.Serving.Billing;

/// <summary>
/// The request lifecycle: Reserve (rate limits + maximum cost, atomically) → Checkpoint* → Settle or Release.
/// Every reservation ends settled or released: by the gateway, or by <see cref="RecoverAsync"/> after a crash.
/// </summary>
public interface IReservationStore
{
    /// <summary>
    /// Checks the key, allow-list and price, counts the request against the key's limits (tokens: prompt + max
    /// completion) and holds prompt × input + max × output price, all in one transaction: it succeeds only when
    /// balance − open reservations ≥ that amount, across every process sharing the database. A denied request
    /// consumes neither rate limit nor credit.
    /// </summary>
    Task<ReserveResult> ReserveAsync(ReservationRequest request, CancellationToken ct = default);

    /// <summary>
    /// Records how far an open reservation got (monotonic: lower counts are ignored) and that it is alive; what a
    /// recovery pass bills if the gateway dies. False when it is not open.
    /// </summary>
    Task<bool> CheckpointAsync(string requestId, long completionTokens, long reasoningTokens = 0, CancellationToken ct = default);

    /// <summary>
    /// Writes the usage record and one ledger charge for the actual usage at the reserved price, releases the hold
    /// and corrects the tokens-per-minute count to the actual tokens. Idempotent per request id. Usage above the
    /// reservation is still charged in full (the gateway must enforce max_tokens). Pass a token that a client
    /// disconnect does not cancel, and retry on an exception (it is idempotent): a settlement must never be dropped.
    /// </summary>
    Task<CloseResult> SettleAsync(string requestId, TokenUsage usage, CancellationToken ct = default);

    /// <summary>Releases the hold without a charge (nothing was generated). Idempotent per request id.</summary>
    Task<CloseResult> ReleaseAsync(string requestId, CancellationToken ct = default);

    Task<Reservation?> GetReservationAsync(string requestId, CancellationToken ct = default);

    /// <summary>Marks a gateway process as (re)started now: its reservations from before are orphans.</summary>
    Task RegisterInstanceAsync(string instanceId, CancellationToken ct = default);

    /// <summary>Marks a gateway process alive now.</summary>
    Task HeartbeatAsync(string instanceId, CancellationToken ct = default);

    /// <summary>
    /// Closes orphaned reservations (see <see cref="RecoveryOptions"/>): one with a checkpoint is settled for its
    /// prompt plus the checkpointed completion tokens (the checkpoint proves generation ran), one without is
    /// released. Safe to run from several processes at once.
    /// </summary>
    Task<RecoveryReport> RecoverAsync(RecoveryOptions options, CancellationToken ct = default);
}
