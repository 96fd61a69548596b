namespace Avocado.Serving.Billing;

/// <summary>A customer account: owns API keys, prepaid credit and usage.</summary>
public sealed record Tenant(string Id, string Name, DateTimeOffset CreatedAt);
