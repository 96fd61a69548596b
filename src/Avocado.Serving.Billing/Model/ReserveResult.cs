namespace Avocado.Serving.Billing;

public enum ReserveStatus
{
    /// <summary>Money held; generate, then settle or release.</summary>
    Reserved,
    /// <summary>The request id was reserved before (Reservation is that one when it belongs to the same key); nothing new was held.</summary>
    Duplicate,
    /// <summary>Requests- or tokens-per-minute exceeded (Rate says which): 429.</summary>
    RateLimited,
    /// <summary>Balance minus open reservations cannot cover the maximum cost: 429 (insufficient_quota).</summary>
    InsufficientCredit,
    /// <summary>The key's allow-list excludes the model: 403.</summary>
    ModelNotAllowed,
    /// <summary>The model has no price, so it cannot be sold: 404.</summary>
    UnknownModel,
    /// <summary>The key is unknown, revoked or expired (it changed since authentication): 401.</summary>
    KeyInvalid,
}

/// <summary>
/// The outcome of a reservation; denial is a result, not an exception. RetryAfter and ShouldRetry feed the
/// retry-after and x-should-retry headers: an exhausted budget says ShouldRetry=false (retrying cannot help),
/// a budget held by other in-flight requests says true. Rate is set whenever limits were evaluated.
/// </summary>
public sealed record ReserveResult(
    ReserveStatus Status,
    Reservation? Reservation,
    RateDecision? Rate,
    Balance? Balance,
    TimeSpan RetryAfter,
    bool ShouldRetry)
{
    public bool Succeeded => Status == ReserveStatus.Reserved;
}
