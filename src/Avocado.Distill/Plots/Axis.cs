namespace Avocado.Distill.Plots;

/// <summary>
/// One chart axis: the shown range, the tick values and how a value maps onto it. Made by <see cref="NiceTicks"/>.
/// Step is the distance between linear ticks (it also sets how many decimals a label needs); NaN on a log axis.
/// </summary>
public sealed record Axis(double Min, double Max, IReadOnlyList<double> Ticks, double Step, bool IsLog)
{
    /// <summary>Where a value lies along the axis: 0 at Min, 1 at Max (outside 0..1 for values out of range).</summary>
    public double Fraction(double value) => IsLog
        ? (Math.Log10(value) - Math.Log10(Min)) / (Math.Log10(Max) - Math.Log10(Min))
        : (value - Min) / (Max - Min);

    /// <summary>Whether the value can be placed on this axis (finite, and positive on a log axis).</summary>
    public bool CanShow(double value) => double.IsFinite(value) && (!IsLog || value > 0);

    /// <summary>The tick label of a value, e.g. "0.2", "1.5k", "2e-05".</summary>
    public string Label(double value) => IsLog ? NiceTicks.Format(value) : NiceTicks.Format(value, Step);
}
