using System.Globalization;

namespace Avocado.Common.Progress;

/// <summary>How every long-running stage (traces, training, eval) writes durations and time left on its progress line.</summary>
public static class ProgressText
{
    /// <summary>"4.2s", "3m07s", "2h05m", "31h05m": hours keep counting past a day (a <c>hh:mm:ss</c> format would
    /// show a 26-hour ETA as 02:00:00).</summary>
    public static string Duration(TimeSpan t)
    {
        if (t < TimeSpan.Zero) t = TimeSpan.Zero;
        return t.TotalHours >= 1 ? string.Create(CultureInfo.InvariantCulture, $"{(long)t.TotalHours}h{t.Minutes:D2}m")
            : t.TotalMinutes >= 1 ? string.Create(CultureInfo.InvariantCulture, $"{(int)t.TotalMinutes}m{t.Seconds:D2}s")
            : string.Create(CultureInfo.InvariantCulture, $"{t.TotalSeconds:F1}s");
    }

    /// <summary>Time left at the average rate so far; null before the first unit is done or after the last.</summary>
    public static TimeSpan? Eta(TimeSpan elapsed, long done, long total) =>
        done <= 0 || done >= total ? null : elapsed * ((double)(total - done) / done);

    /// <summary>" | ETA 3m07s" while work is left, "" otherwise.</summary>
    public static string EtaSuffix(TimeSpan elapsed, long done, long total) =>
        Eta(elapsed, done, total) is { } eta ? " | ETA " + Duration(eta) : "";
}
