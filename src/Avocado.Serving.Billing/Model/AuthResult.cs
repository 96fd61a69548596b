namespace Avocado.Serving.Billing;

public enum AuthStatus
{
    Valid,
    /// <summary>Not shaped like an Avocado key (no database lookup was made).</summary>
    Malformed,
    Unknown,
    Revoked,
    Expired,
}

/// <summary>The outcome of presenting a secret. Every status but Valid maps to 401; Key is set when the key exists.</summary>
public sealed record AuthResult(AuthStatus Status, ApiKeyInfo? Key)
{
    public bool IsValid => Status == AuthStatus.Valid;
}
