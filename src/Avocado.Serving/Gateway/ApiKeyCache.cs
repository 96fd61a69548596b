using System.Collections.Concurrent;
using Avocado.Serving.Billing;

namespace Avocado.Serving.Gateway;

/// <summary>
/// Valid API keys looked up in the last <see cref="Lifetime"/>, so a busy key costs one database read every two
/// seconds, not one a request. Nothing is refused or allowed on its word alone: the reservation re-reads the key
/// inside its transaction (a key revoked a moment ago is refused there at once, and the handler then asks again with
/// fresh: true to say why), expiry is checked on every hit, and a key's model allow-list never changes after it is
/// created. Unknown and invalid keys are never cached.
/// </summary>
public sealed class ApiKeyCache(IBillingStore billing, TimeProvider time)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(2);
    private const int MaxEntries = 100_000; // then start afresh: bounded memory whatever keys clients send

    private readonly ConcurrentDictionary<string, (ApiKeyInfo Key, DateTimeOffset Until)> _valid = new(StringComparer.Ordinal);

    public async Task<AuthResult> AuthenticateAsync(string secret, bool fresh, CancellationToken ct)
    {
        if (!ApiKeySecrets.IsWellFormed(secret)) return await billing.AuthenticateAsync(secret, ct);
        var hash = ApiKeySecrets.Hash(secret);
        var now = time.GetUtcNow();
        if (!fresh && _valid.TryGetValue(hash, out var hit) && now < hit.Until && hit.Key.IsActiveAt(now))
            return new AuthResult(AuthStatus.Valid, hit.Key);

        var result = await billing.AuthenticateAsync(secret, ct);
        if (result is { Status: AuthStatus.Valid, Key: { } key })
        {
            if (_valid.Count >= MaxEntries) _valid.Clear();
            _valid[hash] = (key, now + Lifetime);
        }
        else
        {
            _valid.TryRemove(hash, out _);
        }
        return result;
    }
}
