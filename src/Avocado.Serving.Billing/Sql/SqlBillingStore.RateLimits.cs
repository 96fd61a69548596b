namespace Avocado.Serving.Billing;

internal abstract partial class SqlBillingStore
{
    private const string RequestsDimension = "requests";
    private const string TokensDimension = "tokens";

    private static readonly RateDecision Unlimited = new(true, null, RateWindow.Unlimited, RateWindow.Unlimited, TimeSpan.Zero, true);

    /// <summary>
    /// A decision and what to store if the caller goes ahead. Unconsumed is the same verdict reporting the
    /// buckets untouched, for when a later check (credit) denies the request and nothing may be counted.
    /// </summary>
    private sealed record RateCheck(RateDecision Decision, RateDecision Unconsumed, IReadOnlyList<(string Dimension, RateMath.Bucket Bucket)> Writes);

    public Task<RateDecision> AcquireAsync(string keyId, long tokens, CancellationToken ct = default)
    {
        RequireText(keyId, nameof(keyId));
        ArgumentOutOfRangeException.ThrowIfNegative(tokens);
        return WriteAsync(async db =>
        {
            long now = Now();
            var key = await GetKeyAsync(db, keyId, ct) ?? throw new ArgumentException($"unknown API key '{keyId}'", nameof(keyId));
            var check = await EvaluateRateAsync(db, key, tokens, now, ct);
            if (check.Decision.Allowed) await StoreBucketsAsync(db, key.Id, check.Writes, ct);
            return check.Decision;
        }, ct);
    }

    /// <summary>Locks the key's buckets and evaluates one request of <paramref name="tokens"/> tokens; writes nothing.</summary>
    private async Task<RateCheck> EvaluateRateAsync(Db db, ApiKeyInfo key, long tokens, long now, CancellationToken ct)
    {
        if (key.RequestsPerMinute is null && key.TokensPerMinute is null) return new RateCheck(Unlimited, Unlimited, []);
        var buckets = await LockBucketsAsync(db, key.Id, now, ct);
        var verdicts = new List<(string Dimension, RateLimitKind Kind, RateMath.Verdict Verdict)>();
        if (key.RequestsPerMinute is { } rpm)
            verdicts.Add((RequestsDimension, RateLimitKind.Requests, RateMath.Evaluate(rpm, buckets.GetValueOrDefault(RequestsDimension, new(0, now)), now, 1)));
        if (key.TokensPerMinute is { } tpm)
            verdicts.Add((TokensDimension, RateLimitKind.Tokens, RateMath.Evaluate(tpm, buckets.GetValueOrDefault(TokensDimension, new(0, now)), now, tokens)));

        var denied = verdicts.Where(v => !v.Verdict.Allowed).ToList();
        bool allowed = denied.Count == 0;
        bool shouldRetry = denied.All(v => v.Verdict.Satisfiable);
        var worst = denied.OrderByDescending(v => v.Verdict.RetryAfter).FirstOrDefault();
        TimeSpan retryAfter = allowed || !shouldRetry ? TimeSpan.Zero : worst.Verdict.RetryAfter;
        RateLimitKind? limitedBy = allowed ? null : shouldRetry ? worst.Kind : denied.First(v => !v.Verdict.Satisfiable).Kind;

        RateWindow WindowOf(string dimension, bool consumed)
        {
            foreach (var v in verdicts)
                if (v.Dimension == dimension) return consumed ? v.Verdict.Window : v.Verdict.Unchanged;
            return RateWindow.Unlimited;
        }
        var decision = new RateDecision(allowed, limitedBy, WindowOf(RequestsDimension, allowed), WindowOf(TokensDimension, allowed), retryAfter, shouldRetry);
        var unconsumed = decision with { Requests = WindowOf(RequestsDimension, false), Tokens = WindowOf(TokensDimension, false) };
        var writes = allowed ? verdicts.Select(v => (v.Dimension, v.Verdict.After)).ToList() : [];
        return new RateCheck(decision, unconsumed, writes);
    }

    /// <summary>
    /// Settlement's correction of the tokens counted at reservation (the estimate) to the tokens billed.
    /// <paramref name="tpm"/> is the key's tokens-per-minute limit and <paramref name="unlocked"/> its tokens bucket
    /// as read with the reservation: used as is where the transaction holds the database's write lock (SQLite); a
    /// backend with row locks locks and re-reads the bucket first.
    /// </summary>
    private async Task CorrectTokensAsync(Db db, string keyId, long? tpm, RateMath.Bucket? unlocked, long deltaTokens, long now, CancellationToken ct)
    {
        if (deltaTokens == 0 || tpm is null) return;
        RateMath.Bucket stored;
        if (ForUpdate.Length == 0)
            stored = unlocked ?? new(0, now);
        else
            stored = (await LockBucketsAsync(db, keyId, now, ct)).GetValueOrDefault(TokensDimension, new(0, now));
        var bucket = RateMath.Adjust(tpm.Value, stored, now, deltaTokens);
        await StoreBucketsAsync(db, keyId, [(TokensDimension, bucket)], ct);
    }

    private async Task<Dictionary<string, RateMath.Bucket>> LockBucketsAsync(Db db, string keyId, long now, CancellationToken ct)
    {
        var rows = await db.Sql($"SELECT dimension, used, at FROM rate_buckets WHERE key_id = @k ORDER BY dimension{ForUpdate}")
            .Arg("k", keyId).ListAsync(r => (Dimension: r.GetString(0), Bucket: new RateMath.Bucket(r.GetInt64(1), r.GetInt64(2))), ct);
        return rows.ToDictionary(r => r.Dimension, r => r.Bucket);
    }

    private static async Task StoreBucketsAsync(Db db, string keyId, IReadOnlyList<(string Dimension, RateMath.Bucket Bucket)> writes, CancellationToken ct)
    {
        if (writes.Count == 0) return;
        // One upsert for all rows: buckets are created with the key, but a missing row must not silently skip the count.
        var s = db.Sql(writes.Count switch { 1 => UpsertOneBucketSql, 2 => UpsertTwoBucketsSql, _ => UpsertBucketsSql(writes.Count) }).Arg("k", keyId);
        for (int i = 0; i < writes.Count; i++)
            s = s.Arg("d" + i, writes[i].Dimension).Arg("u" + i, writes[i].Bucket.Used).Arg("at" + i, writes[i].Bucket.At);
        await s.ExecuteAsync(ct);
    }

    private static readonly string UpsertOneBucketSql = UpsertBucketsSql(1);
    private static readonly string UpsertTwoBucketsSql = UpsertBucketsSql(2);

    private static string UpsertBucketsSql(int rows) =>
        "INSERT INTO rate_buckets (key_id, dimension, used, at) VALUES " +
        string.Join(", ", Enumerable.Range(0, rows).Select(i => $"(@k, @d{i}, @u{i}, @at{i})")) +
        " ON CONFLICT (key_id, dimension) DO UPDATE SET used = excluded.used, at = excluded.at";
}
