using Avocado.Serving.Billing;

namespace Avocado.Serving.Tests.Billing;

public sealed class ConnectionTargetTests
{
    [Fact]
    public void Paths_and_sqlite_prefix_mean_sqlite()
    {
        Assert.Equal(Path.GetFullPath("data/billing.db"), Assert.IsType<ConnectionTarget.Sqlite>(ConnectionTarget.Parse("data/billing.db")).Path);
        Assert.Equal("/var/lib/avocado/billing.db", Assert.IsType<ConnectionTarget.Sqlite>(ConnectionTarget.Parse("sqlite:/var/lib/avocado/billing.db")).Path);
    }

    [Fact]
    public void Postgres_uris_map_every_part()
    {
        var p = Assert.IsType<ConnectionTarget.Postgres>(
            ConnectionTarget.Parse("postgres://bill%40ing:p%3Ass@db.internal:6543/avocado?schema=billing&sslmode=require&application_name=gw"));
        Assert.Equal(("db.internal", 6543, "bill@ing", "p:ss", "avocado"), (p.Settings.Host, p.Settings.Port, p.Settings.Username, p.Settings.Password, p.Settings.Database));
        Assert.Equal("billing", p.Schema);
        Assert.Equal(Npgsql.SslMode.Require, p.Settings.SslMode);
        Assert.Equal("gw", p.Settings.ApplicationName);

        var defaults = Assert.IsType<ConnectionTarget.Postgres>(ConnectionTarget.Parse("postgresql://localhost/avocado"));
        Assert.Equal((5432, (string?)null), (defaults.Settings.Port, defaults.Schema));
    }

    [Fact]
    public void Npgsql_key_value_strings_mean_postgres()
    {
        var p = Assert.IsType<ConnectionTarget.Postgres>(ConnectionTarget.Parse("Host=127.0.0.1;Port=55432;Username=avocado;Database=avocado;Search Path=t1,public"));
        Assert.Equal(("127.0.0.1", 55432, "t1"), (p.Settings.Host, p.Settings.Port, p.Schema));
    }

    [Theory]
    [InlineData("")]
    [InlineData(":memory:")]
    [InlineData("sqlite::memory:")]
    [InlineData("Data Source=x.db;Mode=Memory")]
    [InlineData("postgres://host/db?no_such_setting=1")]
    public void Unusable_connection_strings_fail_with_a_hint(string connection) =>
        Assert.ThrowsAny<ArgumentException>(() => ConnectionTarget.Parse(connection));

    [Fact]
    public void Passwords_are_redacted_in_messages() =>
        Assert.Equal("postgres://avocado:***@127.0.0.1:55432/avocado", ConnectionTarget.Redact("postgres://avocado:s3cret@127.0.0.1:55432/avocado"));

    [Fact]
    public async Task An_unreachable_server_fails_with_a_hint()
    {
        var e = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            BillingStore.OpenAsync("postgres://nobody:x@127.0.0.1:1/none?timeout=2"));
        Assert.Contains("scripts/postgres start", e.Message);
    }
}
