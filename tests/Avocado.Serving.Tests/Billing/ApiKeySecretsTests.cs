using Avocado.Serving.Billing;

namespace Avocado.Serving.Tests.Billing;

public sealed class ApiKeySecretsTests
{
    [Fact]
    public void Secrets_are_long_url_safe_and_unique()
    {
        var secrets = Enumerable.Range(0, 1000).Select(_ => ApiKeySecrets.NewSecret()).ToList();
        Assert.All(secrets, s => Assert.Matches("^avo-[A-Za-z0-9_-]{43}$", s));
        Assert.All(secrets, s => Assert.True(ApiKeySecrets.IsWellFormed(s)));
        Assert.Equal(secrets.Count, secrets.Distinct().Count());
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("sk-abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG")]
    [InlineData("avo-tooshort")]
    [InlineData("avo-abcdefghijklmnopqrstuvwxyz0123456789ABCD=")]
    [InlineData("avo-abcdefghijklmnopqrstuvwxyz 0123456789ABCD")]
    public void Malformed_secrets_are_recognised_before_any_lookup(string? secret) => Assert.False(ApiKeySecrets.IsWellFormed(secret));

    [Fact]
    public void Hash_is_lowercase_sha256_hex() =>
        Assert.Equal("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", ApiKeySecrets.Hash("abc"));
}
