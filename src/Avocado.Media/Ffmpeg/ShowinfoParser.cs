using System.Globalization;
using System.Text.RegularExpressions;

namespace Avocado.Media.Ffmpeg;

/// <summary>Reads frame timestamps from the lines ffmpeg's <c>showinfo</c> filter logs on stderr.
///
/// Why showinfo and not "index ÷ fps": a raw-video pipe carries no timestamps, and computing them from an <c>fps=</c>
/// filter is only right for constant-rate video that starts at 0. showinfo logs the real presentation time of every
/// frame that leaves the filter graph — variable frame rate, a non-zero start, frames an <c>fps</c> or <c>select</c>
/// filter dropped or repeated, and seeks all come out right — and it logs a frame before ffmpeg writes that frame to
/// stdout, so the k-th time belongs to the k-th frame read. The time is pts × time base (both exact integers in the
/// log); the printed <c>pts_time</c> has only 6 significant digits (0.01 s after 2¾ hours).</summary>
internal sealed partial class ShowinfoParser
{
    long _timeBaseNum, _timeBaseDen;

    [GeneratedRegex(@"^\[Parsed_showinfo_\d+ @ [^\]]*\] (?:\[\w+\] )?(?<rest>.*)$")]
    private static partial Regex ShowinfoLine();

    [GeneratedRegex(@"^config in time_base: (?<num>\d+)/(?<den>\d+)")]
    private static partial Regex TimeBase();

    [GeneratedRegex(@"^n:\s*\d+\s+pts:\s*(?<pts>-?\d+)\s+pts_time:(?<time>\S+)")]
    private static partial Regex Frame();

    /// <summary>True when <paramref name="line"/> came from showinfo; <paramref name="seconds"/> is set for a frame line.</summary>
    public bool TryParse(string line, out double? seconds)
    {
        seconds = null;
        var m = ShowinfoLine().Match(line);
        if (!m.Success) return false;
        var rest = m.Groups["rest"].Value;
        if (TimeBase().Match(rest) is { Success: true } tb)
        {
            _timeBaseNum = long.Parse(tb.Groups["num"].Value, CultureInfo.InvariantCulture);
            _timeBaseDen = long.Parse(tb.Groups["den"].Value, CultureInfo.InvariantCulture);
        }
        else if (Frame().Match(rest) is { Success: true } f)
        {
            long pts = long.Parse(f.Groups["pts"].Value, CultureInfo.InvariantCulture);
            seconds = _timeBaseNum > 0 && _timeBaseDen > 0
                ? (double)pts * _timeBaseNum / _timeBaseDen
                : double.Parse(f.Groups["time"].Value, NumberStyles.Float, CultureInfo.InvariantCulture);
        }
        return true;
    }
}
