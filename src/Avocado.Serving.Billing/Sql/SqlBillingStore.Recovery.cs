namespace Avocado.Serving.Billing;

internal abstract partial class SqlBillingStore
{
    private const int RecoveryBatch = 200;

    public Task RegisterInstanceAsync(string instanceId, CancellationToken ct = default)
    {
        RequireText(instanceId, nameof(instanceId));
        return WriteAsync(async db =>
        {
            long now = Now();
            return await db.Sql("""
                INSERT INTO instances (id, started_at, last_seen) VALUES (@i, @at, @at)
                ON CONFLICT (id) DO UPDATE SET started_at = excluded.started_at, last_seen = excluded.last_seen
                """).Arg("i", instanceId).Arg("at", now).ExecuteAsync(ct);
        }, ct);
    }

    public Task HeartbeatAsync(string instanceId, CancellationToken ct = default)
    {
        RequireText(instanceId, nameof(instanceId));
        return WriteAsync(async db =>
        {
            int n = await db.Sql("UPDATE instances SET last_seen = @at WHERE id = @i").Arg("at", Now()).Arg("i", instanceId).ExecuteAsync(ct);
            return n == 1 ? n : throw new InvalidOperationException($"gateway instance '{instanceId}' is not registered: call RegisterInstanceAsync first");
        }, ct);
    }

    public async Task<RecoveryReport> RecoverAsync(RecoveryOptions options, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var items = new List<RecoveredReservation>();
        var considered = new HashSet<string>(StringComparer.Ordinal);
        string columns = string.Join(", ", Rows.ReservationColumns.Split(", ").Select(c => "r." + c));
        while (true)
        {
            long now = Now();
            var batch = await ReadAsync(db => db.Sql($"""
                SELECT {columns} FROM reservations r LEFT JOIN instances i ON i.id = r.instance_id
                WHERE r.state = 'open' AND (
                    r.updated_at < @idle
                    OR (r.instance_id IS NOT NULL AND (i.id IS NULL OR i.last_seen < @gone OR r.created_at < i.started_at)))
                ORDER BY r.created_at, r.request_id LIMIT {RecoveryBatch}
                """).Arg("idle", now - (long)options.MaxIdle.TotalMicroseconds).Arg("gone", now - (long)options.InstanceTimeout.TotalMicroseconds)
                .ListAsync(Rows.Reservation, ct), ct);
            // A reservation skipped once (touched since we looked) is not retried in this pass, so the loop ends.
            var fresh = batch.Where(r => considered.Add(r.RequestId)).ToList();
            if (fresh.Count == 0) break;
            foreach (var r in fresh)
            {
                // Policy: a checkpoint proves the prompt was processed and that many tokens were generated, so bill
                // exactly that; without one there is no evidence of work, so release (never guess against the customer).
                TokenUsage? usage = r.CheckpointAt is null ? null : new TokenUsage(r.PromptTokens, r.CheckpointCompletionTokens, r.CheckpointReasoningTokens);
                var result = await CloseAsync(r.RequestId, usage, new Closer(options.Actor, Rows.Micros(r.UpdatedAt)), ct);
                if (result is { Status: CloseStatus.Settled or CloseStatus.Released })
                    items.Add(new RecoveredReservation(r.RequestId, r.TenantId,
                        result.Status == CloseStatus.Settled ? RecoveryOutcome.Settled : RecoveryOutcome.Released, result.Charged));
            }
            if (batch.Count < RecoveryBatch) break;
        }
        if (items.Count > 0)
        {
            var report = new RecoveryReport(items);
            await WriteAsync(db => AuditAsync(db, options.Actor, "reservation.recover", null, null, new
            {
                settled = report.Settled,
                released = report.Released,
                charged = report.Charged,
                request_ids = items.Select(i => i.RequestId).Take(100).ToArray(),
            }, Now(), ct), ct);
        }
        return new RecoveryReport(items);
    }
}
