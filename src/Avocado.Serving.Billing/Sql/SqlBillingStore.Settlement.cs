namespace Avocado.Serving.Billing;

internal abstract partial class SqlBillingStore
{
    /// <summary>Who closes a reservation: the gateway, or a recovery pass that only proceeds if nothing touched it since it looked.</summary>
    private sealed record Closer(string? RecoveryActor, long? ExpectedUpdatedAt)
    {
        public static readonly Closer Gateway = new(null, null);
        public bool IsRecovery => RecoveryActor is not null;
    }

    public async Task<CloseResult> SettleAsync(string requestId, TokenUsage usage, CancellationToken ct = default)
    {
        RequireText(requestId, nameof(requestId));
        ArgumentNullException.ThrowIfNull(usage);
        usage.Validate();
        return await CloseAsync(requestId, usage, Closer.Gateway, ct) ?? throw new InvalidOperationException("a gateway close is never skipped");
    }

    public async Task<CloseResult> ReleaseAsync(string requestId, CancellationToken ct = default)
    {
        RequireText(requestId, nameof(requestId));
        return await CloseAsync(requestId, null, Closer.Gateway, ct) ?? throw new InvalidOperationException("a gateway close is never skipped");
    }

    /// <summary>
    /// Settles (usage given) or releases (null) in one transaction: state change, usage record, ledger charge and
    /// rate correction commit together or not at all. The state check under the tenant lock plus the unique
    /// charge index make replays harmless. Returns null only when a recovery pass finds the reservation was
    /// touched after it chose it.
    /// </summary>
    private Task<CloseResult?> CloseAsync(string requestId, TokenUsage? usage, Closer closer, CancellationToken ct) =>
        WriteAsync<CloseResult?>(async db =>
        {
            long now = Now();
            CloseRow? row;
            if (ForUpdate.Length == 0)
            {
                // The transaction holds the database's write lock from its first statement: one read sees the final state.
                row = await ReadForCloseAsync(db, requestId, lockRow: false, ct);
                if (row is null) return new CloseResult(CloseStatus.NotFound, null, null, null);
            }
            else
            {
                var first = await GetReservationAsync(db, requestId, ct);
                if (first is null) return new CloseResult(CloseStatus.NotFound, null, null, null);
                await LockTenantAsync(db, first.TenantId, ct);
                row = (await ReadForCloseAsync(db, requestId, lockRow: true, ct))!; // re-read: it may have closed while we waited
            }
            var r = row.Reservation;
            switch (r.State)
            {
                case ReservationState.Settled:
                    var previous = await db.Sql($"SELECT {Rows.UsageColumns} FROM usage_records WHERE request_id = @r").Arg("r", requestId).SingleAsync(Rows.Usage, ct);
                    return new CloseResult(CloseStatus.AlreadySettled, r, previous, row.Balance);
                case ReservationState.Released:
                    return new CloseResult(CloseStatus.AlreadyReleased, r, null, row.Balance);
            }
            if (closer.ExpectedUpdatedAt is { } expected && Rows.Micros(r.UpdatedAt) != expected) return null;

            string state = usage is null ? "released" : "settled";
            int changed = await db.Sql("UPDATE reservations SET state = @s, updated_at = @at, closed_at = @at WHERE request_id = @r AND state = 'open'")
                .Arg("s", state).Arg("at", now).Arg("r", requestId).ExecuteAsync(ct);
            if (changed != 1) throw new InvalidOperationException($"reservation '{requestId}' changed under the tenant lock; refusing to bill it");

            UsageRecord? record = null;
            long ledger = row.Balance.Ledger;
            if (usage is not null)
            {
                long cost = r.Price.CostOf(usage.PromptTokens, usage.CompletionTokens);
                record = new UsageRecord(requestId, r.TenantId, r.KeyId, r.Model, Rows.ParseDay(Rows.Day(now)), Rows.Time(now),
                    usage.PromptTokens, usage.CompletionTokens, usage.ReasoningTokens, cost, closer.IsRecovery);
                await db.Sql($"""
                    INSERT INTO usage_records ({Rows.UsageColumns})
                    VALUES (@r, @t, @k, @m, @day, @at, @p, @c, @rt, @cost, @recovered)
                    """).Arg("r", requestId).Arg("t", r.TenantId).Arg("k", r.KeyId).Arg("m", r.Model).Arg("day", Rows.Day(now)).Arg("at", now)
                    .Arg("p", usage.PromptTokens).Arg("c", usage.CompletionTokens).Arg("rt", usage.ReasoningTokens).Arg("cost", cost)
                    .Arg("recovered", closer.IsRecovery ? 1 : 0).ExecuteAsync(ct);
                var entry = await AppendLedgerAsync(db, r.TenantId, LedgerKind.Charge, -cost, requestId, closer.RecoveryActor ?? "key:" + r.KeyId,
                    closer.IsRecovery ? $"{r.Model} (recovered from checkpoint)" : r.Model, now, ct, balanceBefore: ledger);
                ledger = entry.BalanceAfter;
            }
            // Tokens per minute were counted as prompt + max_tokens; count what was billed instead (0 when released).
            long billedTokens = usage is null ? 0 : usage.PromptTokens + usage.CompletionTokens;
            await CorrectTokensAsync(db, r.KeyId, row.TokensPerMinute, row.TokensBucket, billedTokens - r.RateTokens, now, ct);

            // What a balance read now would return: this transaction charged the ledger and ended this hold, nothing else.
            var balance = new Balance(r.TenantId, ledger, row.Balance.Reserved - r.Amount);
            var closed = r with { State = usage is null ? ReservationState.Released : ReservationState.Settled, UpdatedAt = Rows.Time(now) };
            return new CloseResult(usage is null ? CloseStatus.Released : CloseStatus.Settled, closed, record, balance);
        }, ct);

    /// <summary>A reservation with what closing it needs, read in one statement under the tenant lock.</summary>
    private sealed record CloseRow(Reservation Reservation, long? TokensPerMinute, RateMath.Bucket? TokensBucket, Balance Balance);

    private static readonly string CloseReadSql = $"""
        SELECT {string.Join(", ", Rows.ReservationColumns.Split(", ").Select(c => "r." + c))}, k.tpm, b.used, b.at,
               COALESCE((SELECT balance_after FROM ledger WHERE tenant_id = r.tenant_id ORDER BY id DESC LIMIT 1), 0),
               (SELECT CAST(COALESCE(SUM(amount), 0) AS BIGINT) FROM reservations WHERE tenant_id = r.tenant_id AND state = 'open')
        FROM reservations r
        LEFT JOIN api_keys k ON k.id = r.key_id
        LEFT JOIN rate_buckets b ON b.key_id = r.key_id AND b.dimension = 'tokens'
        WHERE r.request_id = @r
        """;

    private Task<CloseRow?> ReadForCloseAsync(Db db, string requestId, bool lockRow, CancellationToken ct) =>
        db.Sql(lockRow ? CloseReadSql + $"{ForUpdate} OF r" : CloseReadSql).Arg("r", requestId).SingleAsync(r =>
        {
            var reservation = Rows.Reservation(r);
            int n = Rows.ReservationColumnCount;
            return new CloseRow(reservation,
                r.IsDBNull(n) ? null : r.GetInt64(n),
                r.IsDBNull(n + 1) ? null : new RateMath.Bucket(r.GetInt64(n + 1), r.GetInt64(n + 2)),
                new Balance(reservation.TenantId, r.GetInt64(n + 3), r.GetInt64(n + 4)));
        }, ct);
}
