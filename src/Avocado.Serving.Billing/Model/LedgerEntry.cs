namespace Avocado.Serving.Billing;

public enum LedgerKind
{
    /// <summary>Prepaid credit added (amount &gt; 0).</summary>
    Grant,
    /// <summary>A settled request (amount ≤ 0); written only by settlement, at most once per request id.</summary>
    Charge,
    /// <summary>Money given back (amount &gt; 0).</summary>
    Refund,
    /// <summary>A correction either way (amount ≠ 0).</summary>
    Adjustment,
}

/// <summary>
/// One row of the append-only ledger. Amount is signed nano-USD; BalanceAfter is the running balance, so the
/// balance is the last entry's BalanceAfter and always equals the sum of all amounts.
/// </summary>
public sealed record LedgerEntry(
    long Id,
    string TenantId,
    LedgerKind Kind,
    long Amount,
    long BalanceAfter,
    string? RequestId,
    string Actor,
    string? Note,
    DateTimeOffset At);

/// <summary>A tenant's money: Ledger (sum of entries) minus Reserved (open reservations) is what new requests may use.</summary>
public sealed record Balance(string TenantId, long Ledger, long Reserved)
{
    public long Available => Ledger - Reserved;
}
