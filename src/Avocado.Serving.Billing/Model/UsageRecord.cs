namespace Avocado.Serving.Billing;

/// <summary>
/// One billed request. Day is the UTC date of settlement. Recovered marks usage billed by the recovery pass
/// from the last progress checkpoint rather than reported by the gateway.
/// </summary>
public sealed record UsageRecord(
    string RequestId,
    string TenantId,
    string KeyId,
    string Model,
    DateOnly Day,
    DateTimeOffset At,
    long PromptTokens,
    long CompletionTokens,
    long ReasoningTokens,
    long Cost,
    bool Recovered);

[Flags]
public enum UsageGrouping
{
    None = 0,
    Tenant = 1,
    Key = 2,
    Model = 4,
    Day = 8,
}

/// <summary>Filters (all optional; From/To are inclusive UTC days) and the dimensions to group by.</summary>
public sealed record UsageQuery
{
    public string? TenantId { get; init; }
    public string? KeyId { get; init; }
    public string? Model { get; init; }
    public DateOnly? From { get; init; }
    public DateOnly? To { get; init; }
    public UsageGrouping GroupBy { get; init; } = UsageGrouping.None;
}

/// <summary>Sums over one group; the dimensions not grouped by are null.</summary>
public sealed record UsageSummary(
    string? TenantId,
    string? KeyId,
    string? Model,
    DateOnly? Day,
    long Requests,
    long PromptTokens,
    long CompletionTokens,
    long ReasoningTokens,
    long Cost);
