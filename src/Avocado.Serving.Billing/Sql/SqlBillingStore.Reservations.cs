namespace Avocado.Serving.Billing;

internal abstract partial class SqlBillingStore
{
    /// <summary>
    /// What to tell a client whose credit is held by its own requests in flight: they settle within seconds,
    /// so retrying soon can succeed (unlike an exhausted balance).
    /// </summary>
    private static readonly TimeSpan HeldCreditRetryAfter = TimeSpan.FromSeconds(1);

    public Task<ReserveResult> ReserveAsync(ReservationRequest request, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        RequireText(request.RequestId, nameof(request.RequestId));
        RequireText(request.KeyId, nameof(request.KeyId));
        RequireText(request.Model, nameof(request.Model));
        if (request.InstanceId is not null) RequireText(request.InstanceId, nameof(request.InstanceId));
        ArgumentOutOfRangeException.ThrowIfNegative(request.PromptTokens, nameof(request.PromptTokens));
        ArgumentOutOfRangeException.ThrowIfNegative(request.MaxCompletionTokens, nameof(request.MaxCompletionTokens));

        return WriteAsync(async db =>
        {
            long now = Now();
            // The key (read again inside the transaction: a revocation since authentication takes effect at once)
            // and whether the instance is registered, in one statement.
            var row = await db.Sql($"SELECT {Rows.KeyColumns}, (SELECT 1 FROM instances WHERE id = @i) FROM api_keys WHERE id = @id")
                .Arg("id", request.KeyId).Arg("i", request.InstanceId)
                .SingleAsync(r => new KeyRow(Rows.Key(r), !r.IsDBNull(Rows.KeyColumnCount)), ct);
            var key = row?.Key;
            if (key is null || !key.IsActiveAt(Rows.Time(now))) return Refused(ReserveStatus.KeyInvalid);
            if (!key.Allows(request.Model)) return Refused(ReserveStatus.ModelNotAllowed);
            if (request.InstanceId is { } instance && !row!.InstanceRegistered)
                throw new InvalidOperationException($"gateway instance '{instance}' is not registered: call RegisterInstanceAsync at start-up (else recovery would treat its requests as orphans)");

            await LockTenantForWriteAsync(db, key.TenantId, ct);
            // Under the tenant lock, in one statement: does the request id exist, the model's price, and the balance
            // (the lock makes the later check-then-insert atomic against every other reservation of the tenant).
            var state = (await db.Sql(ReserveStateSql).Arg("r", request.RequestId).Arg("m", request.Model).Arg("t", key.TenantId)
                .SingleAsync(r => new ReserveState(!r.IsDBNull(0), r.IsDBNull(1) ? null : new Price(request.Model, r.GetInt64(1), r.GetInt64(2)),
                    new Balance(key.TenantId, r.GetInt64(3), r.GetInt64(4))), ct))!;
            if (state.Duplicate)
            {
                var existing = (await GetReservationAsync(db, request.RequestId, ct))!;
                return new ReserveResult(ReserveStatus.Duplicate, existing.KeyId == key.Id ? existing : null, null, null, TimeSpan.Zero, false);
            }

            var price = state.Price;
            if (price is null) return Refused(ReserveStatus.UnknownModel);
            long amount = price.CostOf(request.PromptTokens, request.MaxCompletionTokens);
            long rateTokens = checked(request.PromptTokens + request.MaxCompletionTokens);

            var rate = await EvaluateRateAsync(db, key, rateTokens, now, ct);
            if (!rate.Decision.Allowed)
                return new ReserveResult(ReserveStatus.RateLimited, null, rate.Decision, null, rate.Decision.RetryAfter, rate.Decision.ShouldRetry);

            var balance = state.Balance;
            if (balance.Available < amount)
            {
                bool heldByRequestsInFlight = balance.Ledger >= amount;
                return new ReserveResult(ReserveStatus.InsufficientCredit, null, rate.Unconsumed, balance,
                    heldByRequestsInFlight ? HeldCreditRetryAfter : TimeSpan.Zero, heldByRequestsInFlight);
            }

            await StoreBucketsAsync(db, key.Id, rate.Writes, ct);
            await db.Sql("""
                INSERT INTO reservations (request_id, tenant_id, key_id, model, instance_id, prompt_tokens, max_completion_tokens,
                    input_per_million, output_per_million, amount, rate_tokens, state, created_at, updated_at)
                VALUES (@r, @t, @k, @m, @i, @p, @max, @in, @out, @amount, @rate, 'open', @at, @at)
                """).Arg("r", request.RequestId).Arg("t", key.TenantId).Arg("k", key.Id).Arg("m", request.Model).Arg("i", request.InstanceId)
                .Arg("p", request.PromptTokens).Arg("max", request.MaxCompletionTokens).Arg("in", price.InputPerMillion)
                .Arg("out", price.OutputPerMillion).Arg("amount", amount).Arg("rate", rateTokens).Arg("at", now).ExecuteAsync(ct);
            var reservation = new Reservation(request.RequestId, key.TenantId, key.Id, request.Model, request.InstanceId, request.PromptTokens,
                request.MaxCompletionTokens, price, amount, rateTokens, ReservationState.Open, 0, 0, null, Rows.Time(now), Rows.Time(now));
            return new ReserveResult(ReserveStatus.Reserved, reservation, rate.Decision, balance with { Reserved = balance.Reserved + amount }, TimeSpan.Zero, true);
        }, ct, Durability.Deferred); // a hold moves no money: see Durability for what a crash can and cannot lose

        static ReserveResult Refused(ReserveStatus status) => new(status, null, null, null, TimeSpan.Zero, false);
    }

    private sealed record KeyRow(ApiKeyInfo Key, bool InstanceRegistered);

    private sealed record ReserveState(bool Duplicate, Price? Price, Balance Balance);

    // Whether the request id exists, the price (NULLs when none), the ledger balance and the open holds.
    private const string ReserveStateSql = """
        SELECT (SELECT 1 FROM reservations WHERE request_id = @r), p.input_per_million, p.output_per_million,
               COALESCE((SELECT balance_after FROM ledger WHERE tenant_id = @t ORDER BY id DESC LIMIT 1), 0),
               (SELECT CAST(COALESCE(SUM(amount), 0) AS BIGINT) FROM reservations WHERE tenant_id = @t AND state = 'open')
        FROM (SELECT 1 AS one) AS one LEFT JOIN prices p ON p.model = @m
        """;

    public Task<bool> CheckpointAsync(string requestId, long completionTokens, long reasoningTokens = 0, CancellationToken ct = default)
    {
        RequireText(requestId, nameof(requestId));
        new TokenUsage(0, completionTokens, reasoningTokens).Validate();
        // No tenant lock: a checkpoint moves no money; the state = 'open' guard makes it a no-op once closed.
        return WriteAsync(async db => await db.Sql("""
            UPDATE reservations SET
                checkpoint_completion = CASE WHEN checkpoint_completion > @c THEN checkpoint_completion ELSE @c END,
                checkpoint_reasoning = CASE WHEN checkpoint_reasoning > @rt THEN checkpoint_reasoning ELSE @rt END,
                checkpoint_at = @at, updated_at = @at
            WHERE request_id = @r AND state = 'open'
            """).Arg("c", completionTokens).Arg("rt", reasoningTokens).Arg("at", Now()).Arg("r", requestId).ExecuteAsync(ct) == 1, ct);
    }

    public Task<Reservation?> GetReservationAsync(string requestId, CancellationToken ct = default) =>
        ReadAsync(db => GetReservationAsync(db, requestId, ct), ct);

    private Task<Reservation?> GetReservationAsync(Db db, string requestId, CancellationToken ct, bool lockRow = false) =>
        db.Sql($"SELECT {Rows.ReservationColumns} FROM reservations WHERE request_id = @r{(lockRow ? ForUpdate : "")}")
            .Arg("r", requestId).SingleAsync(Rows.Reservation, ct);
}
