using System.Globalization;
using Avocado.Common.Progress;

namespace Avocado.Training.Run;

/// <summary>One progress line on a terminal (rewritten in place) or one line per update elsewhere:
/// step/steps, a bar, loss, tokens/s and ETA.</summary>
public sealed class TrainProgress(TextWriter? writer, int totalSteps, int firstStep, TimeProvider? time = null)
{
    readonly TimeProvider _time = time ?? TimeProvider.System;
    readonly long _started = (time ?? TimeProvider.System).GetTimestamp();
    readonly bool _interactive = writer == Console.Error && !Console.IsErrorRedirected;
    long _tokens;
    TimeSpan? _lastPrint; // null until the first line: MinValue would overflow in now − _lastPrint

    public void Step(int step, long tokens, double loss, bool force = false)
    {
        _tokens += tokens;
        if (writer is null) return;
        var now = _time.GetElapsedTime(_started);
        if (!force && _lastPrint is { } last && now - last < TimeSpan.FromSeconds(_interactive ? 0.5 : 10)) return;
        _lastPrint = now;
        int done = step + 1 - firstStep, left = totalSteps - step - 1;
        double seconds = Math.Max(now.TotalSeconds, 1e-9);
        var eta = done > 0 ? now * ((double)left / done) : TimeSpan.Zero;
        int width = 24, filled = (int)Math.Round(width * (step + 1.0) / totalSteps);
        var line = string.Create(CultureInfo.InvariantCulture,
            $"train [{new string('#', filled)}{new string('.', width - filled)}] step {step + 1}/{totalSteps}  loss {loss:F4}  {_tokens / seconds:F0} tok/s  ETA {ProgressText.Duration(eta)}");
        if (_interactive) writer.Write("\r" + line + "   ");
        else writer.WriteLine(line);
        if (_interactive && (force || left == 0)) writer.WriteLine();
    }
}
