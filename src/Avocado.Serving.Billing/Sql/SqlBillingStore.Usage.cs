namespace Avocado.Serving.Billing;

internal abstract partial class SqlBillingStore
{
    // Fixed column names per dimension: the query text is built only from these, never from caller input.
    private static readonly (UsageGrouping Flag, string Column)[] Dimensions =
        [(UsageGrouping.Tenant, "tenant_id"), (UsageGrouping.Key, "key_id"), (UsageGrouping.Model, "model"), (UsageGrouping.Day, "day")];

    public Task<UsageRecord?> GetUsageAsync(string requestId, CancellationToken ct = default) =>
        ReadAsync(db => db.Sql($"SELECT {Rows.UsageColumns} FROM usage_records WHERE request_id = @r").Arg("r", requestId).SingleAsync(Rows.Usage, ct), ct);

    public async Task<IReadOnlyList<UsageSummary>> QueryUsageAsync(UsageQuery query, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        var grouped = Dimensions.Where(d => query.GroupBy.HasFlag(d.Flag)).ToList();
        var filters = new List<string>();
        if (query.TenantId is not null) filters.Add("tenant_id = @tenant");
        if (query.KeyId is not null) filters.Add("key_id = @key");
        if (query.Model is not null) filters.Add("model = @model");
        if (query.From is not null) filters.Add("day >= @from");
        if (query.To is not null) filters.Add("day <= @to");

        string select = string.Join("", grouped.Select(g => g.Column + ", "));
        string sql = $"""
            SELECT {select}CAST(COUNT(*) AS BIGINT), CAST(COALESCE(SUM(prompt_tokens), 0) AS BIGINT), CAST(COALESCE(SUM(completion_tokens), 0) AS BIGINT),
                   CAST(COALESCE(SUM(reasoning_tokens), 0) AS BIGINT), CAST(COALESCE(SUM(cost), 0) AS BIGINT)
            FROM usage_records
            {(filters.Count > 0 ? "WHERE " + string.Join(" AND ", filters) : "")}
            {(grouped.Count > 0 ? "GROUP BY " + string.Join(", ", grouped.Select(g => g.Column)) + " ORDER BY " + string.Join(", ", grouped.Select(g => g.Column)) : "")}
            """;
        return await ReadAsync(db =>
        {
            var s = db.Sql(sql);
            if (query.TenantId is not null) s = s.Arg("tenant", query.TenantId);
            if (query.KeyId is not null) s = s.Arg("key", query.KeyId);
            if (query.Model is not null) s = s.Arg("model", query.Model);
            if (query.From is { } from) s = s.Arg("from", Rows.Day(from));
            if (query.To is { } to) s = s.Arg("to", Rows.Day(to));
            return s.ListAsync(r =>
            {
                string? Dim(UsageGrouping flag)
                {
                    int i = grouped.FindIndex(g => g.Flag == flag);
                    return i < 0 ? null : r.GetString(i);
                }
                int n = grouped.Count;
                string? day = Dim(UsageGrouping.Day);
                return new UsageSummary(Dim(UsageGrouping.Tenant), Dim(UsageGrouping.Key), Dim(UsageGrouping.Model), day is null ? null : Rows.ParseDay(day),
                    r.GetInt64(n), r.GetInt64(n + 1), r.GetInt64(n + 2), r.GetInt64(n + 3), r.GetInt64(n + 4));
            }, ct);
        }, ct);
    }
}
