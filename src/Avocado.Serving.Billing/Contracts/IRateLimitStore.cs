namespace Avocado.Serving.Billing;

public interface IRateLimitStore
{
    /// <summary>
    /// Counts one request and <paramref name="tokens"/> tokens against the key's per-minute limits if both fit
    /// (nothing is counted otherwise). For calls that do not reserve; <see cref="IReservationStore.ReserveAsync"/>
    /// already applies the limits.
    /// </summary>
    Task<RateDecision> AcquireAsync(string keyId, long tokens, CancellationToken ct = default);
}
