namespace Avocado.Serving.Billing;

/// <summary>A model's price in nano-USD per million tokens (see <see cref="Money"/>). Reasoning tokens are output tokens.</summary>
public sealed record Price(string Model, long InputPerMillion, long OutputPerMillion)
{
    public long CostOf(long inputTokens, long outputTokens) => Money.Cost(inputTokens, outputTokens, InputPerMillion, OutputPerMillion);

    /// <summary>Price from dollars per million tokens, e.g. FromDollars("m", 0.15m, 0.60m).</summary>
    public static Price FromDollars(string model, decimal inputPerMillion, decimal outputPerMillion) =>
        new(model, Money.FromDollars(inputPerMillion), Money.FromDollars(outputPerMillion));
}
