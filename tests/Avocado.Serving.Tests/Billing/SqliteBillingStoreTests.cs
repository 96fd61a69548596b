namespace Avocado.Serving.Tests.Billing;

/// <summary>The billing contract against SQLite: a fresh file per test.</summary>
public sealed class SqliteBillingStoreTests(SqliteDatabases databases) : BillingStoreContract, IClassFixture<SqliteDatabases>
{
    protected override Task<string> NewDatabaseAsync() => databases.NewDatabaseAsync();
}
