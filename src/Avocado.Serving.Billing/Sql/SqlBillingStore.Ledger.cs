namespace Avocado.Serving.Billing;

internal abstract partial class SqlBillingStore
{
    // One statement, so both sums come from one snapshot even outside a transaction.
    private const string BalanceSql = """
        SELECT COALESCE((SELECT balance_after FROM ledger WHERE tenant_id = @t ORDER BY id DESC LIMIT 1), 0),
               (SELECT CAST(COALESCE(SUM(amount), 0) AS BIGINT) FROM reservations WHERE tenant_id = @t AND state = 'open')
        """;

    public Task<LedgerEntry> PostCreditAsync(string tenantId, LedgerKind kind, long amount, string actor, string? note = null, CancellationToken ct = default)
    {
        RequireText(tenantId, nameof(tenantId));
        RequireText(actor, nameof(actor));
        if (note is { Length: > 1000 }) throw new ArgumentException("note is longer than 1000 characters", nameof(note));
        bool valid = kind switch
        {
            LedgerKind.Grant or LedgerKind.Refund => amount > 0,
            LedgerKind.Adjustment => amount != 0,
            LedgerKind.Charge => throw new ArgumentException("charges are written by SettleAsync only (one per request)", nameof(kind)),
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
        };
        if (!valid) throw new ArgumentOutOfRangeException(nameof(amount), amount, $"a {kind} needs {(kind == LedgerKind.Adjustment ? "a non-zero" : "a positive")} amount of nano-USD");
        return WriteAsync(async db =>
        {
            long now = Now();
            if (!await LockTenantAsync(db, tenantId, ct)) throw new ArgumentException($"unknown tenant '{tenantId}'", nameof(tenantId));
            var entry = await AppendLedgerAsync(db, tenantId, kind, amount, null, actor, note, now, ct);
            await AuditAsync(db, actor, "credit." + Rows.Kind(kind), tenantId, entry.Id.ToString(System.Globalization.CultureInfo.InvariantCulture),
                new { amount, note, balance_after = entry.BalanceAfter }, now, ct);
            return entry;
        }, ct);
    }

    public Task<Balance> GetBalanceAsync(string tenantId, CancellationToken ct = default) => ReadAsync(db => ReadBalanceAsync(db, tenantId, ct), ct);

    public async Task<IReadOnlyList<LedgerEntry>> ListLedgerAsync(string tenantId, CancellationToken ct = default) =>
        await ReadAsync(db => db.Sql($"SELECT {Rows.LedgerColumns} FROM ledger WHERE tenant_id = @t ORDER BY id").Arg("t", tenantId).ListAsync(Rows.Ledger, ct), ct);

    private static async Task<Balance> ReadBalanceAsync(Db db, string tenantId, CancellationToken ct) =>
        (await db.Sql(BalanceSql).Arg("t", tenantId).SingleAsync(r => new Balance(tenantId, r.GetInt64(0), r.GetInt64(1)), ct))!;

    /// <summary>
    /// Appends one entry carrying the running balance. The caller holds the tenant lock, so "last balance +
    /// amount" cannot interleave with another writer, and reading the balance stays O(1) as the ledger grows.
    /// </summary>
    private static async Task<LedgerEntry> AppendLedgerAsync(
        Db db, string tenantId, LedgerKind kind, long amount, string? requestId, string actor, string? note, long now, CancellationToken ct,
        long? balanceBefore = null)
    {
        // balanceBefore: the last balance_after, when the caller already read it under the tenant lock.
        long before = balanceBefore
            ?? await db.Sql("SELECT balance_after FROM ledger WHERE tenant_id = @t ORDER BY id DESC LIMIT 1").Arg("t", tenantId).Int64Async(ct) ?? 0;
        long after = checked(before + amount);
        long id = await db.Sql("""
            INSERT INTO ledger (tenant_id, kind, amount, balance_after, request_id, actor, note, created_at)
            VALUES (@t, @kind, @amount, @after, @request, @actor, @note, @at) RETURNING id
            """).Arg("t", tenantId).Arg("kind", Rows.Kind(kind)).Arg("amount", amount).Arg("after", after).Arg("request", requestId)
            .Arg("actor", actor).Arg("note", note).Arg("at", now).Int64Async(ct) ?? throw new InvalidOperationException("INSERT … RETURNING gave no id");
        return new LedgerEntry(id, tenantId, kind, amount, after, requestId, actor, note, Rows.Time(now));
    }
}
