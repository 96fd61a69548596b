namespace Avocado.Serving.Billing;

public interface ICreditLedger
{
    /// <summary>
    /// Appends a Grant (amount &gt; 0), Refund (amount &gt; 0) or Adjustment (amount ≠ 0) in nano-USD; charges are
    /// written only by settlement. Audited as credit.grant / credit.refund / credit.adjustment.
    /// </summary>
    Task<LedgerEntry> PostCreditAsync(string tenantId, LedgerKind kind, long amount, string actor, string? note = null, CancellationToken ct = default);

    /// <summary>The ledger balance, the open reservations and what is available, read in one snapshot.</summary>
    Task<Balance> GetBalanceAsync(string tenantId, CancellationToken ct = default);

    /// <summary>Entries oldest first.</summary>
    Task<IReadOnlyList<LedgerEntry>> ListLedgerAsync(string tenantId, CancellationToken ct = default);
}
