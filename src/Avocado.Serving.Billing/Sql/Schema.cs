namespace Avocado.Serving.Billing;

/// <summary>One schema step: applied once, in order, recorded in schema_version.</summary>
internal sealed record Migration(int Version, string Description, IReadOnlyList<string> Statements);

/// <summary>
/// The versioned schema, written once for both backends: the only differences are the identity column and how
/// append-only is enforced (a trigger either way). Add a migration to change it; never edit an applied one.
/// Amounts are nano-USD, times µs since the Unix epoch, days "yyyy-MM-dd" (UTC).
/// </summary>
internal static class Schema
{
    public enum Dialect { Sqlite, Postgres }

    public static IReadOnlyList<Migration> Migrations(Dialect d) => [V1(d)];

    public static int LatestVersion => 1;

    private static Migration V1(Dialect d)
    {
        string identity = d == Dialect.Sqlite ? "INTEGER PRIMARY KEY" : "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY";
        var statements = new List<string>
        {
            """
            CREATE TABLE tenants (
                id TEXT PRIMARY KEY,
                name TEXT NOT NULL,
                created_at BIGINT NOT NULL)
            """,
            """
            CREATE TABLE api_keys (
                id TEXT PRIMARY KEY,
                tenant_id TEXT NOT NULL REFERENCES tenants(id),
                name TEXT NOT NULL,
                secret_sha256 TEXT NOT NULL UNIQUE,
                prefix TEXT NOT NULL,
                created_at BIGINT NOT NULL,
                expires_at BIGINT NULL,
                revoked_at BIGINT NULL,
                allowed_models TEXT NULL,
                rpm BIGINT NULL CHECK (rpm > 0),
                tpm BIGINT NULL CHECK (tpm > 0))
            """,
            "CREATE INDEX api_keys_by_tenant ON api_keys (tenant_id)",
            """
            CREATE TABLE prices (
                model TEXT PRIMARY KEY,
                input_per_million BIGINT NOT NULL CHECK (input_per_million >= 0),
                output_per_million BIGINT NOT NULL CHECK (output_per_million >= 0),
                updated_at BIGINT NOT NULL)
            """,
            $"""
            CREATE TABLE ledger (
                id {identity},
                tenant_id TEXT NOT NULL REFERENCES tenants(id),
                kind TEXT NOT NULL,
                amount BIGINT NOT NULL,
                balance_after BIGINT NOT NULL,
                request_id TEXT NULL,
                actor TEXT NOT NULL,
                note TEXT NULL,
                created_at BIGINT NOT NULL,
                CHECK ((kind = 'grant' AND amount > 0) OR (kind = 'charge' AND amount <= 0 AND request_id IS NOT NULL)
                    OR (kind = 'refund' AND amount > 0) OR (kind = 'adjustment' AND amount <> 0)))
            """,
            "CREATE INDEX ledger_by_tenant ON ledger (tenant_id, id)",
            // The database itself refuses a second charge for one request, whatever the code above it does.
            "CREATE UNIQUE INDEX ledger_one_charge_per_request ON ledger (request_id) WHERE kind = 'charge'",
            """
            CREATE TABLE reservations (
                request_id TEXT PRIMARY KEY,
                tenant_id TEXT NOT NULL REFERENCES tenants(id),
                key_id TEXT NOT NULL REFERENCES api_keys(id),
                model TEXT NOT NULL,
                instance_id TEXT NULL,
                prompt_tokens BIGINT NOT NULL,
                max_completion_tokens BIGINT NOT NULL,
                input_per_million BIGINT NOT NULL,
                output_per_million BIGINT NOT NULL,
                amount BIGINT NOT NULL CHECK (amount >= 0),
                rate_tokens BIGINT NOT NULL,
                state TEXT NOT NULL CHECK (state IN ('open', 'settled', 'released')),
                checkpoint_completion BIGINT NOT NULL DEFAULT 0,
                checkpoint_reasoning BIGINT NOT NULL DEFAULT 0,
                checkpoint_at BIGINT NULL,
                created_at BIGINT NOT NULL,
                updated_at BIGINT NOT NULL,
                closed_at BIGINT NULL)
            """,
            // Open reservations are few (requests in flight): partial indexes keep the hold sum and recovery scan cheap.
            "CREATE INDEX reservations_open_by_tenant ON reservations (tenant_id) WHERE state = 'open'",
            "CREATE INDEX reservations_open_by_age ON reservations (updated_at) WHERE state = 'open'",
            """
            CREATE TABLE usage_records (
                request_id TEXT PRIMARY KEY,
                tenant_id TEXT NOT NULL REFERENCES tenants(id),
                key_id TEXT NOT NULL REFERENCES api_keys(id),
                model TEXT NOT NULL,
                day TEXT NOT NULL,
                created_at BIGINT NOT NULL,
                prompt_tokens BIGINT NOT NULL,
                completion_tokens BIGINT NOT NULL,
                reasoning_tokens BIGINT NOT NULL,
                cost BIGINT NOT NULL,
                recovered BIGINT NOT NULL)
            """,
            "CREATE INDEX usage_by_tenant_day ON usage_records (tenant_id, day)",
            "CREATE INDEX usage_by_key_day ON usage_records (key_id, day)",
            """
            CREATE TABLE rate_buckets (
                key_id TEXT NOT NULL REFERENCES api_keys(id),
                dimension TEXT NOT NULL CHECK (dimension IN ('requests', 'tokens')),
                used BIGINT NOT NULL,
                at BIGINT NOT NULL,
                PRIMARY KEY (key_id, dimension))
            """,
            """
            CREATE TABLE instances (
                id TEXT PRIMARY KEY,
                started_at BIGINT NOT NULL,
                last_seen BIGINT NOT NULL)
            """,
            $"""
            CREATE TABLE audit_log (
                id {identity},
                created_at BIGINT NOT NULL,
                actor TEXT NOT NULL,
                action TEXT NOT NULL,
                tenant_id TEXT NULL,
                target TEXT NULL,
                details TEXT NOT NULL)
            """,
            "CREATE INDEX audit_by_tenant ON audit_log (tenant_id, id)",
        };
        statements.AddRange(AppendOnly(d, ["ledger", "usage_records", "audit_log"]));
        return new Migration(1, "tenants, keys, prices, ledger, reservations, usage, rate buckets, instances, audit", statements);
    }

    /// <summary>Triggers that make money history immutable even to hand-written SQL.</summary>
    private static IEnumerable<string> AppendOnly(Dialect d, string[] tables)
    {
        if (d == Dialect.Postgres)
        {
            yield return """
                CREATE FUNCTION avocado_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    RAISE EXCEPTION '% is append-only: % is not allowed', TG_TABLE_NAME, TG_OP;
                END $$
                """;
            foreach (var t in tables)
            {
                yield return $"CREATE TRIGGER {t}_append_only BEFORE UPDATE OR DELETE ON {t} FOR EACH ROW EXECUTE FUNCTION avocado_append_only()";
                yield return $"CREATE TRIGGER {t}_no_truncate BEFORE TRUNCATE ON {t} FOR EACH STATEMENT EXECUTE FUNCTION avocado_append_only()";
            }
        }
        else
        {
            foreach (var t in tables)
            {
                yield return $"CREATE TRIGGER {t}_no_update BEFORE UPDATE ON {t} BEGIN SELECT RAISE(ABORT, '{t} is append-only: UPDATE is not allowed'); END";
                yield return $"CREATE TRIGGER {t}_no_delete BEFORE DELETE ON {t} BEGIN SELECT RAISE(ABORT, '{t} is append-only: DELETE is not allowed'); END";
            }
        }
    }
}
