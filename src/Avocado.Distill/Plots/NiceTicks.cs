using System.Globalization;

namespace Avocado.Distill.Plots;

/// <summary>
/// Axis ranges with "nice" ticks: steps of 1, 2 or 5 × 10^k, the range widened to whole steps (Heckbert,
/// "Nice numbers for graph labels", Graphics Gems, 1990), and compact tick labels in the invariant culture.
/// </summary>
public static class NiceTicks
{
    /// <summary>A linear axis over [min, max] with about targetCount intervals. A flat range is padded by 10% of
    /// its value (±1 around zero) so a constant series sits in the middle of the plot instead of on an edge.</summary>
    public static Axis Linear(double min, double max, int targetCount = 6)
    {
        if (!double.IsFinite(min) || !double.IsFinite(max))
            throw new ArgumentOutOfRangeException(nameof(min), $"axis range [{min}, {max}] must be finite");
        if (targetCount < 1) throw new ArgumentOutOfRangeException(nameof(targetCount), $"{targetCount}: ask for at least 1 tick interval");
        if (min > max) (min, max) = (max, min);
        if (max - min <= 1e-12 * Math.Max(Math.Abs(min), Math.Abs(max)))
        {
            double pad = min == 0 ? 1 : Math.Abs(min) * 0.1;
            (min, max) = (min - pad, max + pad);
        }
        if (!double.IsFinite(max - min)) throw new ArgumentOutOfRangeException(nameof(max), $"axis range [{min}, {max}] is too wide to plot");

        var (mantissa, exponent) = NiceStep((max - min) / targetCount);
        // Ticks are whole multiples k of the step, computed from k (never by adding steps, which accumulates
        // rounding error); the tolerance keeps 0.6 / 0.2 = 2.9999999999999996 from adding a tick.
        long kLo = (long)Math.Floor(min / StepValue(1, mantissa, exponent) + 1e-9);
        long kHi = (long)Math.Ceiling(max / StepValue(1, mantissa, exponent) - 1e-9);
        var ticks = new List<double>();
        for (long k = kLo; k <= kHi; k++) ticks.Add(StepValue(k, mantissa, exponent));
        return new Axis(ticks[0], ticks[^1], ticks, StepValue(1, mantissa, exponent), IsLog: false);
    }

    /// <summary>
    /// A base-10 log axis over [min, max] (both &gt; 0), widened to whole decades. Up to two decades also get
    /// ticks at 2 and 5 × 10^k; wide ranges label every n-th decade so at most maxTicks labels show.
    /// </summary>
    public static Axis Log(double min, double max, int maxTicks = 8)
    {
        if (!(min > 0) || !(max > 0) || !double.IsFinite(min) || !double.IsFinite(max))
            throw new ArgumentOutOfRangeException(nameof(min), $"log axis range [{min}, {max}] must be finite and positive");
        if (min > max) (min, max) = (max, min);
        int lo = (int)Math.Floor(Math.Log10(min) + 1e-12);
        int hi = (int)Math.Ceiling(Math.Log10(max) - 1e-12);
        if (hi <= lo) hi = lo + 1;
        int decades = hi - lo;
        var ticks = new List<double>();
        if (decades <= 2)
        {
            for (int e = lo; e < hi; e++)
                foreach (int m in (ReadOnlySpan<int>)[1, 2, 5]) ticks.Add(StepValue(m, 1, e));
            ticks.Add(Pow10(hi));
        }
        else
        {
            int stride = (decades + maxTicks - 1) / Math.Max(1, maxTicks);
            for (int e = lo; e <= hi; e += stride) ticks.Add(Pow10(e));
        }
        return new Axis(Pow10(lo), Pow10(hi), ticks, double.NaN, IsLog: true);
    }

    /// <summary>The nice step at or near rough: (m, e) with m ∈ {1, 2, 5} and step = m × 10^e.</summary>
    public static (int Mantissa, int Exponent) NiceStep(double rough)
    {
        if (!(rough > 0) || !double.IsFinite(rough)) throw new ArgumentOutOfRangeException(nameof(rough), $"step {rough} must be finite and positive");
        int e = (int)Math.Floor(Math.Log10(rough));
        double residual = rough / Pow10(e);
        // Round to the nearest of 1, 2, 5, 10 on a log-ish scale (Heckbert's thresholds).
        if (residual < 1.5) return (1, e);
        if (residual < 3) return (2, e);
        if (residual < 7) return (5, e);
        return (1, e + 1);
    }

    /// <summary>
    /// A compact label: "0", "0.25", "0.001", "1.5k", "2.5M", "3B", "2e-05". With a step (the tick spacing) the
    /// label keeps just the decimals that tell neighbouring ticks apart; without one, up to 6 decimals (3 with
    /// a suffix or exponent), trailing zeros dropped. Suffixes: k = 10^3, M = 10^6, B = 10^9, T = 10^12.
    /// </summary>
    public static string Format(double value, double step = double.NaN)
    {
        if (double.IsNaN(value)) return "nan";
        if (double.IsInfinity(value)) return value > 0 ? "inf" : "-inf";
        bool hasStep = step > 0 && double.IsFinite(step);
        // A tick computed as 0.1 + 0.2 - 0.3 should read "0", not "5.55e-17".
        if (hasStep && Math.Abs(value) < step * 1e-6) value = 0;
        if (value == 0) return "0";
        double a = Math.Abs(value);
        int? stepDecimals = hasStep ? StepDecimals(step) : null;
        if (a >= 1e15 || a < 1e-3)
        {
            int exp = (int)Math.Floor(Math.Log10(a));
            int decimals = stepDecimals is { } d ? Math.Clamp(d + exp, 0, 10) : 3;
            return value.ToString(Pattern(decimals) + "e+00", CultureInfo.InvariantCulture);
        }
        (double unit, int unitExp, string suffix) = a switch
        {
            >= 1e12 => (1e12, 12, "T"),
            >= 1e9 => (1e9, 9, "B"),
            >= 1e6 => (1e6, 6, "M"),
            >= 1e3 => (1e3, 3, "k"),
            _ => (1.0, 0, ""),
        };
        int places = stepDecimals is { } s ? Math.Clamp(s + unitExp, 0, 10) : unitExp == 0 ? 6 : 3;
        return (value / unit).ToString(Pattern(places), CultureInfo.InvariantCulture) + suffix;
    }

    private static string Pattern(int decimals) => decimals == 0 ? "0" : "0." + new string('#', decimals);

    /// <summary>How many decimals the step needs: 2 for 0.25, 0 for 1, -2 for 500 (so 1500 with step 500 is "1.5k").</summary>
    private static int StepDecimals(double step)
    {
        int first = -(int)Math.Floor(Math.Log10(step));
        for (int d = first; d < first + 16; d++)
        {
            double scaled = step * Pow10(d);
            double whole = Math.Round(scaled);
            if (whole >= 1 && Math.Abs(scaled - whole) <= 1e-6 * scaled) return d;
        }
        return first + 16;
    }

    /// <summary>k × m × 10^e, dividing by an exact power of ten for e &lt; 0 so 3 × 0.1 comes out as the double 0.3.</summary>
    private static double StepValue(long k, int mantissa, int exponent) =>
        exponent >= 0 ? k * mantissa * Pow10(exponent) : k * mantissa / Pow10(-exponent);

    private static double Pow10(int e) => e >= 0 ? Math.Pow(10, e) : 1 / Math.Pow(10, -e);
}
