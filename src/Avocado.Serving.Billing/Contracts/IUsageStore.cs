namespace Avocado.Serving.Billing;

public interface IUsageStore
{
    Task<UsageRecord?> GetUsageAsync(string requestId, CancellationToken ct = default);

    /// <summary>Sums of requests, tokens and cost per group, ordered by the grouped dimensions.</summary>
    Task<IReadOnlyList<UsageSummary>> QueryUsageAsync(UsageQuery query, CancellationToken ct = default);
}
