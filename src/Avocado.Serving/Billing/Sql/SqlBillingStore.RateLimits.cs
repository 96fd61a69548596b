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

    /// <summary>Settlement's correction of the tokens counted at reservation (the estimate) to the tokens billed.</summary>
    private async Task CorrectTokensAsync(Db db, string keyId, long deltaTokens, long now, CancellationToken ct)
    {
        if (deltaTokens == 0) return;
        long? tpm = await db.Sql("SELECT tpm FROM api_keys WHERE id = @k").Arg("k", keyId).Int64Async(ct);
        if (tpm is null) return;
        var buckets = await LockBucketsAsync(db, keyId, now, ct);
        var bucket = RateMath.Adjust(tpm.Value, buckets.GetValueOrDefault(TokensDimension, new(0, now)), now, deltaTokens);
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
        foreach (var (dimension, bucket) in writes)
        {
            // Upsert: buckets are created with the key, but a missing row must not silently skip the count.
            await db.Sql("""
                INSERT INTO rate_buckets (key_id, dimension, used, at) VALUES (@k, @d, @u, @at)
                ON CONFLICT (key_id, dimension) DO UPDATE SET used = excluded.used, at = excluded.at
                """).Arg("k", keyId).Arg("d", dimension).Arg("u", bucket.Used).Arg("at", bucket.At).ExecuteAsync(ct);
        }
    }
}
