using System.Globalization;

namespace Avocado.Serving.Billing;

/// <summary>
/// Money is a <see cref="long"/> count of nano-dollars (1 USD = 10⁹ nano-USD), never floating point: sums and
/// comparisons are exact and the same in every backend. A long holds ±9.2 billion dollars.
/// Prices are nano-USD per million tokens, so any price with at most 15 decimals of a dollar per million
/// tokens is exact (a $0.15 per 1M tokens price is 150_000_000).
/// </summary>
public static class Money
{
    public const long NanoPerDollar = 1_000_000_000;
    public const long TokensPerPriceUnit = 1_000_000;

    /// <summary>Dollars to nano-USD; throws when the amount has more than 9 decimals (it would not be exact).</summary>
    public static long FromDollars(decimal dollars)
    {
        decimal nano = dollars * NanoPerDollar;
        if (nano != decimal.Truncate(nano))
            throw new ArgumentException($"{dollars} USD is not a whole number of nano-dollars (at most 9 decimals)", nameof(dollars));
        if (nano > long.MaxValue || nano < long.MinValue)
            throw new ArgumentOutOfRangeException(nameof(dollars), dollars, "does not fit in a long of nano-dollars");
        return (long)nano;
    }

    public static decimal ToDollars(long nanoUsd) => (decimal)nanoUsd / NanoPerDollar;

    /// <summary>"$1.250000000" style, exact (for logs, invoices and admin output).</summary>
    public static string Format(long nanoUsd) =>
        (nanoUsd < 0 ? "-$" : "$") + (Math.Abs((decimal)nanoUsd) / NanoPerDollar).ToString("0.000000000", CultureInfo.InvariantCulture);

    /// <summary>
    /// The cost of a request: ⌈(input × inputPrice + output × outputPrice) / 10⁶⌉ nano-USD, computed in 128 bits so
    /// no product overflows. Rounding up happens once per request, so a request never costs more than one
    /// nano-dollar above the exact price and never rounds down to free.
    /// </summary>
    public static long Cost(long inputTokens, long outputTokens, long inputPerMillion, long outputPerMillion)
    {
        if (inputTokens < 0) throw new ArgumentOutOfRangeException(nameof(inputTokens), inputTokens, "must be ≥ 0");
        if (outputTokens < 0) throw new ArgumentOutOfRangeException(nameof(outputTokens), outputTokens, "must be ≥ 0");
        Int128 numerator = (Int128)inputTokens * inputPerMillion + (Int128)outputTokens * outputPerMillion;
        Int128 cost = (numerator + TokensPerPriceUnit - 1) / TokensPerPriceUnit;
        if (cost > long.MaxValue) throw new OverflowException($"a cost of {cost} nano-USD does not fit in a long");
        return (long)cost;
    }
}
