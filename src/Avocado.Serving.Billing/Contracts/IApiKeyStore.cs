namespace Avocado.Serving.Billing;

public interface IApiKeyStore
{
    /// <summary>Creates a key; the returned secret is the only copy (only its SHA-256 is stored). Audited as api_key.create.</summary>
    Task<CreatedApiKey> CreateApiKeyAsync(NewApiKey key, string actor, CancellationToken ct = default);

    /// <summary>Finds the key by the hash of the presented secret and says whether it may be used now.</summary>
    Task<AuthResult> AuthenticateAsync(string secret, CancellationToken ct = default);

    Task<ApiKeyInfo?> GetApiKeyAsync(string keyId, CancellationToken ct = default);

    Task<IReadOnlyList<ApiKeyInfo>> ListApiKeysAsync(string tenantId, CancellationToken ct = default);

    /// <summary>Revokes the key from now on; false when it does not exist or was revoked already. Audited as api_key.revoke.</summary>
    Task<bool> RevokeApiKeyAsync(string keyId, string actor, CancellationToken ct = default);
}
