using System.Diagnostics;
using System.Globalization;

namespace Avocado.Distill.Training.Run;

/// <summary>One progress line on a terminal (rewritten in place) or one line per update elsewhere:
/// step/steps, a bar, loss, tokens/s and ETA.</summary>
public sealed class TrainProgress(TextWriter? writer, int totalSteps, int firstStep)
{
    readonly Stopwatch _clock = Stopwatch.StartNew();
    readonly bool _interactive = writer == Console.Error && !Console.IsErrorRedirected;
    long _tokens;
    TimeSpan? _lastPrint; // null until the first line: MinValue would overflow in now − _lastPrint

    public void Step(int step, long tokens, double loss, bool force = false)
    {
        _tokens += tokens;
        if (writer is null) return;
        var now = _clock.Elapsed;
        if (!force && _lastPrint is { } last && now - last < TimeSpan.FromSeconds(_interactive ? 0.5 : 10)) return;
        _lastPrint = now;
        int done = step + 1 - firstStep, left = totalSteps - step - 1;
        double seconds = Math.Max(now.TotalSeconds, 1e-9);
        var eta = done > 0 ? TimeSpan.FromSeconds(seconds / done * left) : TimeSpan.Zero;
        int width = 24, filled = (int)Math.Round(width * (step + 1.0) / totalSteps);
        var line = string.Create(CultureInfo.InvariantCulture,
            $"train [{new string('#', filled)}{new string('.', width - filled)}] step {step + 1}/{totalSteps}  loss {loss:F4}  {_tokens / seconds:F0} tok/s  ETA {eta:hh\\:mm\\:ss}");
        if (_interactive) writer.Write("\r" + line + "   ");
        else writer.WriteLine(line);
        if (_interactive && (force || left == 0)) writer.WriteLine();
    }
}
