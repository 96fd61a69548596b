namespace Avocado.Serving.Gateway;

/// <summary>Gateway settings, validated once at start-up.</summary>
public sealed record GatewayOptions
{
    /// <summary>Protects /admin; when null the admin HTTP API is disabled (the CLI works on the database directly).</summary>
    public string? AdminKey { get; init; }
    /// <summary>Largest accepted request body; larger ones get 413 before being parsed.</summary>
    public long MaxRequestBytes { get; init; } = 4 << 20;
    /// <summary>Completion tokens between progress checkpoints of an open reservation (what crash recovery bills).</summary>
    public int CheckpointEveryTokens { get; init; } = 32;
    /// <summary>Identifies this gateway to crash recovery. Stable across restarts of the same gateway (the CLI derives it
    /// from the host and listen URLs), so a restarted instance settles what its previous run left open at once; another
    /// instance settles them if this one stays down.</summary>
    public string InstanceId { get; init; } = $"{Environment.MachineName}-{Environment.ProcessId}-{Guid.NewGuid():N}";

    public void Validate()
    {
        if (AdminKey is { Length: < 16 }) throw new ArgumentException("the admin key must be at least 16 characters");
        if (MaxRequestBytes < 1024) throw new ArgumentException("MaxRequestBytes must be at least 1024");
        if (CheckpointEveryTokens < 1) throw new ArgumentException("CheckpointEveryTokens must be at least 1");
    }
}
