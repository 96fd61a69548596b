using Avocado.Common.Progress;
using System.Globalization;
using System.Text;

namespace Avocado.Eval;

/// <summary>
/// Counts finished answers and prints one progress line (done/total, rate, ETA, elapsed, accuracy so far per model)
/// at most once per interval, and always for the last answer; thread-safe.
/// </summary>
internal sealed class EvalProgress
{
    readonly object gate = new();
    readonly TextWriter? writer;
    readonly TimeProvider time;
    readonly TimeSpan interval;
    readonly long started;
    long lastPrint;
    readonly string[] models;
    readonly int[] done, correct;
    readonly int total;

    public EvalProgress(IReadOnlyList<string> models, int total, TextWriter? writer, TimeProvider time, TimeSpan interval)
    {
        this.models = models.ToArray();
        this.total = total;
        this.writer = writer;
        this.time = time;
        this.interval = interval;
        done = new int[models.Count];
        correct = new int[models.Count];
        started = lastPrint = time.GetTimestamp();
    }

    public void Finished(int model, bool isCorrect)
    {
        lock (gate)
        {
            done[model]++;
            if (isCorrect) correct[model]++;
            if (writer is not null && (done.Sum() == total || time.GetElapsedTime(lastPrint) >= interval)) Print();
        }
    }

    void Print()
    {
        lastPrint = time.GetTimestamp();
        var elapsed = time.GetElapsedTime(started);
        int all = done.Sum();
        var line = new StringBuilder();
        line.Append(CultureInfo.InvariantCulture, $"[eval] {all}/{total} ({100.0 * all / Math.Max(total, 1):F0}%)");
        line.Append(CultureInfo.InvariantCulture, $" | {all / Math.Max(elapsed.TotalSeconds, 1e-3):F1} answers/s");
        line.Append(ProgressText.EtaSuffix(elapsed, all, total));
        line.Append(" | ").Append(ProgressText.Duration(elapsed));
        for (int m = 0; m < models.Length; m++)
            line.Append(CultureInfo.InvariantCulture, $" | {models[m]} {(done[m] == 0 ? "-" : (100.0 * correct[m] / done[m]).ToString("F1", CultureInfo.InvariantCulture) + "%")}");
        writer!.WriteLine(line.ToString());
    }

}
