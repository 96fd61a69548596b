namespace Avocado.Serving.Billing;

/// <summary>Store settings, validated when the store opens.</summary>
public sealed record BillingStoreOptions
{
    /// <summary>The clock for expiry, limits, reservations and records (inject a fake one in tests).</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>SQLite: how long a writer waits for another process's transaction before failing.</summary>
    public TimeSpan BusyTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>PostgreSQL: attempts of a transaction that hit a deadlock or serialization failure (then it fails loudly, never silently).</summary>
    public int MaxAttempts { get; init; } = 5;

    internal void Validate()
    {
        ArgumentNullException.ThrowIfNull(Time);
        if (BusyTimeout < TimeSpan.FromMilliseconds(1) || BusyTimeout > TimeSpan.FromMinutes(10))
            throw new ArgumentOutOfRangeException(nameof(BusyTimeout), BusyTimeout, "BillingStoreOptions.BusyTimeout must be between 1 ms and 10 minutes");
        if (MaxAttempts is < 1 or > 100)
            throw new ArgumentOutOfRangeException(nameof(MaxAttempts), MaxAttempts, "BillingStoreOptions.MaxAttempts must be between 1 and 100");
    }
}
