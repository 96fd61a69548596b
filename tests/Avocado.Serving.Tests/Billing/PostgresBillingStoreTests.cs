namespace Avocado.Serving.Tests.Billing;

/// <summary>The billing contract against PostgreSQL: a fresh schema per test (see <see cref="PostgresDatabases"/>).</summary>
public sealed class PostgresBillingStoreTests(PostgresDatabases databases) : BillingStoreContract, IClassFixture<PostgresDatabases>
{
    protected override Task<string> NewDatabaseAsync() => databases.NewDatabaseAsync();
}
