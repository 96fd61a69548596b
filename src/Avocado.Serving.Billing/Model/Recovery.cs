namespace Avocado.Serving.Billing;

/// <summary>
/// When an open reservation counts as orphaned (any one suffices):
/// its instance has not sent a heartbeat for <see cref="InstanceTimeout"/> (or never registered);
/// its instance registered again after creating it (the process restarted);
/// it saw no activity (creation or checkpoint) for <see cref="MaxIdle"/>, whoever owns it.
/// MaxIdle must exceed the longest gap between checkpoints of a live request.
/// </summary>
public sealed record RecoveryOptions
{
    public TimeSpan InstanceTimeout { get; init; } = TimeSpan.FromMinutes(2);
    public TimeSpan MaxIdle { get; init; } = TimeSpan.FromMinutes(15);
    public string Actor { get; init; } = "system:recovery";

    internal void Validate()
    {
        if (InstanceTimeout <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(InstanceTimeout), InstanceTimeout, "must be positive");
        if (MaxIdle <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(MaxIdle), MaxIdle, "must be positive");
        ArgumentException.ThrowIfNullOrWhiteSpace(Actor);
    }
}

public enum RecoveryOutcome { Settled, Released }

public sealed record RecoveredReservation(string RequestId, string TenantId, RecoveryOutcome Outcome, long Charged);

/// <summary>What a recovery pass did; reservations closed concurrently by their owner are not listed.</summary>
public sealed record RecoveryReport(IReadOnlyList<RecoveredReservation> Items)
{
    public int Settled => Items.Count(i => i.Outcome == RecoveryOutcome.Settled);
    public int Released => Items.Count(i => i.Outcome == RecoveryOutcome.Released);
    public long Charged => Items.Sum(i => i.Charged);
}
