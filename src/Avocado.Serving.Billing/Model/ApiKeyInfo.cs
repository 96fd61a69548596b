namespace Avocado.Serving.Billing;

/// <summary>What to create: the key's owner, a label and its optional limits.</summary>
public sealed record NewApiKey(string TenantId, string Name)
{
    public DateTimeOffset? ExpiresAt { get; init; }

    /// <summary>Models this key may call (exact names); null allows every priced model.</summary>
    public IReadOnlyList<string>? AllowedModels { get; init; }

    /// <summary>Requests per minute; null for no limit.</summary>
    public long? RequestsPerMinute { get; init; }

    /// <summary>Tokens (prompt + completion) per minute; null for no limit.</summary>
    public long? TokensPerMinute { get; init; }
}

/// <summary>An API key as stored: never the secret, only a display prefix (e.g. "avo-AbCdEfGh").</summary>
public sealed record ApiKeyInfo(
    string Id,
    string TenantId,
    string Name,
    string Prefix,
    DateTimeOffset CreatedAt,
    DateTimeOffset? ExpiresAt,
    DateTimeOffset? RevokedAt,
    IReadOnlyList<string>? AllowedModels,
    long? RequestsPerMinute,
    long? TokensPerMinute)
{
    public bool Allows(string model) => AllowedModels is null || AllowedModels.Contains(model, StringComparer.Ordinal);

    public bool IsActiveAt(DateTimeOffset now) => RevokedAt is null && (ExpiresAt is null || now < ExpiresAt);
}

/// <summary>
/// A new key and its secret. The secret exists only here: it is stored as a SHA-256 hash, so it must be shown
/// to the customer now and is unrecoverable afterwards.
/// </summary>
public sealed record CreatedApiKey(ApiKeyInfo Key, string Secret)
{
    // Records print every property; a logged CreatedApiKey must not leak the secret.
    public override string ToString() => $"CreatedApiKey {{ Key = {Key}, Secret = {Key.Prefix}… }}";
}
