using System.Text.Json;

namespace Avocado.Serving.Billing;

internal abstract partial class SqlBillingStore
{
    public Task<CreatedApiKey> CreateApiKeyAsync(NewApiKey key, string actor, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        RequireText(key.TenantId, nameof(key.TenantId));
        RequireText(key.Name, nameof(key.Name));
        RequireText(actor, nameof(actor));
        RequireLimit(key.RequestsPerMinute, nameof(key.RequestsPerMinute));
        RequireLimit(key.TokensPerMinute, nameof(key.TokensPerMinute));
        if (key.AllowedModels is { } models)
        {
            if (models.Count == 0)
                throw new ArgumentException("AllowedModels is empty, which would allow nothing: use null to allow every model", nameof(key));
            foreach (var m in models) RequireText(m, "AllowedModels[]");
        }
        return WriteAsync(async db =>
        {
            long now = Now();
            if (!await LockTenantAsync(db, key.TenantId, ct))
                throw new ArgumentException($"unknown tenant '{key.TenantId}': create it first", nameof(key));
            string secret = ApiKeySecrets.NewSecret();
            string? models = key.AllowedModels is null ? null : JsonSerializer.Serialize(key.AllowedModels.Distinct(StringComparer.Ordinal).ToArray());
            long? expires = key.ExpiresAt is { } e ? Rows.Micros(e) : null;
            string id = ApiKeySecrets.NewId("key_");
            await db.Sql("""
                INSERT INTO api_keys (id, tenant_id, name, secret_sha256, prefix, created_at, expires_at, revoked_at, allowed_models, rpm, tpm)
                VALUES (@id, @tenant, @name, @hash, @prefix, @at, @expires, NULL, @models, @rpm, @tpm)
                """).Arg("id", id).Arg("tenant", key.TenantId).Arg("name", key.Name).Arg("hash", ApiKeySecrets.Hash(secret))
                .Arg("prefix", ApiKeySecrets.Prefix(secret)).Arg("at", now).Arg("expires", expires).Arg("models", models)
                .Arg("rpm", key.RequestsPerMinute).Arg("tpm", key.TokensPerMinute).ExecuteAsync(ct);
            // Buckets exist from the start, so a row lock is all a first request needs (no insert race between gateways).
            foreach (var (dimension, limit) in new[] { ("requests", key.RequestsPerMinute), ("tokens", key.TokensPerMinute) })
            {
                if (limit is null) continue;
                await db.Sql("INSERT INTO rate_buckets (key_id, dimension, used, at) VALUES (@k, @d, 0, @at)")
                    .Arg("k", id).Arg("d", dimension).Arg("at", now).ExecuteAsync(ct);
            }
            var info = (await GetKeyAsync(db, id, ct))!;
            await AuditAsync(db, actor, "api_key.create", key.TenantId, id, new
            {
                name = key.Name,
                prefix = info.Prefix,
                expires_at = key.ExpiresAt,
                allowed_models = info.AllowedModels,
                requests_per_minute = key.RequestsPerMinute,
                tokens_per_minute = key.TokensPerMinute,
            }, now, ct);
            return new CreatedApiKey(info, secret);
        }, ct);
    }

    public Task<AuthResult> AuthenticateAsync(string secret, CancellationToken ct = default)
    {
        if (!ApiKeySecrets.IsWellFormed(secret)) return Task.FromResult(new AuthResult(AuthStatus.Malformed, null));
        string hash = ApiKeySecrets.Hash(secret);
        return ReadAsync(async db =>
        {
            var key = await db.Sql($"SELECT {Rows.KeyColumns} FROM api_keys WHERE secret_sha256 = @h").Arg("h", hash).SingleAsync(Rows.Key, ct);
            var now = Time.GetUtcNow();
            var status = key switch
            {
                null => AuthStatus.Unknown,
                { RevokedAt: not null } => AuthStatus.Revoked,
                { ExpiresAt: { } e } when now >= e => AuthStatus.Expired,
                _ => AuthStatus.Valid,
            };
            return new AuthResult(status, key);
        }, ct);
    }

    public Task<ApiKeyInfo?> GetApiKeyAsync(string keyId, CancellationToken ct = default) => ReadAsync(db => GetKeyAsync(db, keyId, ct), ct);

    public async Task<IReadOnlyList<ApiKeyInfo>> ListApiKeysAsync(string tenantId, CancellationToken ct = default) =>
        await ReadAsync(db => db.Sql($"SELECT {Rows.KeyColumns} FROM api_keys WHERE tenant_id = @t ORDER BY created_at, id")
            .Arg("t", tenantId).ListAsync(Rows.Key, ct), ct);

    public Task<bool> RevokeApiKeyAsync(string keyId, string actor, CancellationToken ct = default)
    {
        RequireText(keyId, nameof(keyId));
        RequireText(actor, nameof(actor));
        return WriteAsync(async db =>
        {
            long now = Now();
            var key = await GetKeyAsync(db, keyId, ct);
            if (key is null || key.RevokedAt is not null) return false;
            await db.Sql("UPDATE api_keys SET revoked_at = @at WHERE id = @id AND revoked_at IS NULL").Arg("at", now).Arg("id", keyId).ExecuteAsync(ct);
            await AuditAsync(db, actor, "api_key.revoke", key.TenantId, keyId, new { name = key.Name, prefix = key.Prefix }, now, ct);
            return true;
        }, ct);
    }

    private static Task<ApiKeyInfo?> GetKeyAsync(Db db, string keyId, CancellationToken ct) =>
        db.Sql($"SELECT {Rows.KeyColumns} FROM api_keys WHERE id = @id").Arg("id", keyId).SingleAsync(Rows.Key, ct);

    private static void RequireLimit(long? limit, string name)
    {
        if (limit is { } l && (l < 1 || l > RateMath.MaxLimit))
            throw new ArgumentOutOfRangeException(name, l, $"must be 1..{RateMath.MaxLimit} (or null for no limit)");
    }
}
