using System.Data.Common;
using System.Globalization;
using System.Text.Json;

namespace Avocado.Serving.Billing;

/// <summary>
/// Column lists and row mappers, kept together so a SELECT and its mapper cannot drift apart. Times are
/// stored as µs since the Unix epoch (BIGINT) and days as "yyyy-MM-dd" text: the same in both backends.
/// </summary>
internal static class Rows
{
    public const string TenantColumns = "id, name, created_at";

    public static Tenant Tenant(DbDataReader r) => new(r.GetString(0), r.GetString(1), Time(r.GetInt64(2)));

    public const string KeyColumns = "id, tenant_id, name, prefix, created_at, expires_at, revoked_at, allowed_models, rpm, tpm";

    public const int KeyColumnCount = 10;

    public static ApiKeyInfo Key(DbDataReader r) => new(
        r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), Time(r.GetInt64(4)),
        TimeOrNull(r, 5), TimeOrNull(r, 6),
        r.IsDBNull(7) ? null : JsonSerializer.Deserialize<string[]>(r.GetString(7)),
        Int64OrNull(r, 8), Int64OrNull(r, 9));

    public const string PriceColumns = "model, input_per_million, output_per_million";

    public static Price Price(DbDataReader r) => new(r.GetString(0), r.GetInt64(1), r.GetInt64(2));

    public const string LedgerColumns = "id, tenant_id, kind, amount, balance_after, request_id, actor, note, created_at";

    public static LedgerEntry Ledger(DbDataReader r) => new(
        r.GetInt64(0), r.GetString(1), ParseKind(r.GetString(2)), r.GetInt64(3), r.GetInt64(4),
        StringOrNull(r, 5), r.GetString(6), StringOrNull(r, 7), Time(r.GetInt64(8)));

    public const string ReservationColumns =
        "request_id, tenant_id, key_id, model, instance_id, prompt_tokens, max_completion_tokens, input_per_million, " +
        "output_per_million, amount, rate_tokens, state, checkpoint_completion, checkpoint_reasoning, checkpoint_at, created_at, updated_at";

    public const int ReservationColumnCount = 17;

    public static Reservation Reservation(DbDataReader r) => new(
        r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), StringOrNull(r, 4), r.GetInt64(5), r.GetInt64(6),
        new Price(r.GetString(3), r.GetInt64(7), r.GetInt64(8)), r.GetInt64(9), r.GetInt64(10), ParseState(r.GetString(11)),
        r.GetInt64(12), r.GetInt64(13), TimeOrNull(r, 14), Time(r.GetInt64(15)), Time(r.GetInt64(16)));

    public const string UsageColumns =
        "request_id, tenant_id, key_id, model, day, created_at, prompt_tokens, completion_tokens, reasoning_tokens, cost, recovered";

    public static UsageRecord Usage(DbDataReader r) => new(
        r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), ParseDay(r.GetString(4)), Time(r.GetInt64(5)),
        r.GetInt64(6), r.GetInt64(7), r.GetInt64(8), r.GetInt64(9), r.GetInt64(10) != 0);

    public const string AuditColumns = "id, created_at, actor, action, tenant_id, target, details";

    public static AuditEntry Audit(DbDataReader r) => new(
        r.GetInt64(0), Time(r.GetInt64(1)), r.GetString(2), r.GetString(3), StringOrNull(r, 4), StringOrNull(r, 5), r.GetString(6));

    public static long Micros(DateTimeOffset t) => (t.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / TimeSpan.TicksPerMicrosecond;

    public static DateTimeOffset Time(long micros) => DateTimeOffset.UnixEpoch.AddTicks(micros * TimeSpan.TicksPerMicrosecond);

    public static string Day(long micros) => Time(micros).UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    public static string Day(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    public static DateOnly ParseDay(string day) => DateOnly.ParseExact(day, "yyyy-MM-dd", CultureInfo.InvariantCulture);

    public static string Kind(LedgerKind kind) => kind switch
    {
        LedgerKind.Grant => "grant",
        LedgerKind.Charge => "charge",
        LedgerKind.Refund => "refund",
        LedgerKind.Adjustment => "adjustment",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    private static LedgerKind ParseKind(string kind) => kind switch
    {
        "grant" => LedgerKind.Grant,
        "charge" => LedgerKind.Charge,
        "refund" => LedgerKind.Refund,
        "adjustment" => LedgerKind.Adjustment,
        _ => throw new InvalidDataException($"unknown ledger kind '{kind}' in the database"),
    };

    private static ReservationState ParseState(string state) => state switch
    {
        "open" => ReservationState.Open,
        "settled" => ReservationState.Settled,
        "released" => ReservationState.Released,
        _ => throw new InvalidDataException($"unknown reservation state '{state}' in the database"),
    };

    private static string? StringOrNull(DbDataReader r, int i) => r.IsDBNull(i) ? null : r.GetString(i);

    private static long? Int64OrNull(DbDataReader r, int i) => r.IsDBNull(i) ? null : r.GetInt64(i);

    private static DateTimeOffset? TimeOrNull(DbDataReader r, int i) => r.IsDBNull(i) ? null : Time(r.GetInt64(i));
}
