using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace Avocado.Serving.Billing;

/// <summary>
/// Secrets are "avo-" + 43 url-safe characters (256 bits from the OS CSPRNG). Only SHA-256 of the secret is
/// stored: a plain fast hash is right here (unlike passwords) because the secret has full entropy, and it lets
/// the gateway look a key up by an indexed equality instead of trying candidates.
/// </summary>
public static class ApiKeySecrets
{
    public const string Scheme = "avo-";
    private const int SecretBytes = 32;
    private const int PrefixLength = 12; // "avo-" + 8 characters: enough to tell keys apart in a list, useless to guess

    public static string NewSecret() => Scheme + Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(SecretBytes));

    public static string Hash(string secret) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));

    public static string Prefix(string secret) => secret[..PrefixLength];

    /// <summary>Shape check before any lookup: the scheme and 32–128 url-safe characters.</summary>
    public static bool IsWellFormed(string? secret)
    {
        if (secret is null || !secret.StartsWith(Scheme, StringComparison.Ordinal)) return false;
        var body = secret.AsSpan(Scheme.Length);
        if (body.Length is < 32 or > 128) return false;
        foreach (char c in body)
            if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '_')) return false;
        return true;
    }

    /// <summary>Opaque ids such as "ten_3f9a…" (96 random bits, hex): unguessable and safe in URLs and logs.</summary>
    public static string NewId(string prefix) => prefix + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));
}
