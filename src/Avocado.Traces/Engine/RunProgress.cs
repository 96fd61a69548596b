using Avocado.Common.Progress;
using System.Globalization;
using System.Text;
using Avocado.Teachers;

namespace Avocado.Traces.Engine;

/// <summary>
/// Counts a run's teacher requests per teacher and prints a progress line (done/total, per-teacher rate, errors, ETA)
/// at most once per interval; thread-safe. <see cref="Table"/> is the final per-teacher summary.
/// </summary>
public sealed class RunProgress
{
    readonly object _gate = new();
    readonly TextWriter? _writer;
    readonly TimeProvider _time;
    readonly TimeSpan _interval;
    readonly long _started;
    long _lastPrint;
    int _lastPrintedDone = -1;
    readonly TeacherRunStats[] _teachers;

    public RunProgress(IReadOnlyList<(string Name, int Requests)> teachers, TextWriter? writer, TimeProvider time, TimeSpan interval)
    {
        _writer = writer;
        _time = time;
        _interval = interval;
        _started = time.GetTimestamp();
        _lastPrint = _started;
        _teachers = teachers.Select(t => new TeacherRunStats(t.Name, t.Requests)).ToArray();
    }

    public IReadOnlyList<TeacherRunStats> Teachers => _teachers;

    public int Done { get { lock (_gate) return _teachers.Sum(t => t.Done); } }

    public int Total => _teachers.Sum(t => t.Requests);

    public void Succeeded(int teacher, TeacherReply reply)
    {
        lock (_gate)
        {
            var t = _teachers[teacher];
            t.Done++;
            if (reply.FromCache) t.FromCache++;
            t.CompletionTokens += reply.CompletionTokens;
            t.PromptTokens += reply.PromptTokens;
            t.Latencies.Add(reply.Latency);
            MaybePrint();
        }
    }

    public void Failed(int teacher, Exception error)
    {
        lock (_gate)
        {
            var t = _teachers[teacher];
            t.Done++;
            t.Failed++;
            var message = $"{error.GetType().Name}: {error.Message}";
            if (t.Errors.Count < 5 && !t.Errors.Contains(message)) t.Errors.Add(message);
            MaybePrint();
        }
    }

    /// <summary>Prints the last progress line whatever the interval.</summary>
    public void Flush()
    {
        lock (_gate)
            if (_teachers.Sum(t => t.Done) != _lastPrintedDone) Print();
    }

    void MaybePrint()
    {
        if (_writer is null || _time.GetElapsedTime(_lastPrint) < _interval) return;
        Print();
    }

    void Print()
    {
        if (_writer is null) return;
        _lastPrint = _time.GetTimestamp();
        var elapsed = _time.GetElapsedTime(_started);
        int done = _teachers.Sum(t => t.Done), total = Total, errors = _teachers.Sum(t => t.Failed);
        _lastPrintedDone = done;
        var line = new StringBuilder();
        line.Append(CultureInfo.InvariantCulture, $"[distill] {done}/{total} ({(total == 0 ? 100 : 100.0 * done / total):F0}%)");
        foreach (var t in _teachers)
            line.Append(CultureInfo.InvariantCulture, $" | {t.Name} {t.Done}/{t.Requests} {t.Done / Math.Max(elapsed.TotalSeconds, 1e-3):F1}/s");
        line.Append(CultureInfo.InvariantCulture, $" | errors {errors}");
        line.Append(ProgressText.EtaSuffix(elapsed, done, total));
        line.Append(" | ").Append(ProgressText.Duration(elapsed));
        _writer.WriteLine(line.ToString());
    }

    /// <summary>The final per-teacher table: requests, cache hits, failures, tokens, pass rate, latency p50/p95.</summary>
    public string Table()
    {
        lock (_gate)
        {
            var rows = new List<string[]> { new[] { "teacher", "requests", "cached", "failed", "tokens", "pass rate", "p50", "p95" } };
            foreach (var t in _teachers)
                rows.Add([t.Name, t.Requests.ToString(CultureInfo.InvariantCulture), t.FromCache.ToString(CultureInfo.InvariantCulture),
                    t.Failed.ToString(CultureInfo.InvariantCulture), t.CompletionTokens.ToString(CultureInfo.InvariantCulture),
                    t.Verified == 0 ? "-" : (100.0 * t.Correct / t.Verified).ToString("F1", CultureInfo.InvariantCulture) + "%",
                    Ms(t.LatencyPercentile(0.5)), Ms(t.LatencyPercentile(0.95))]);
            var widths = Enumerable.Range(0, rows[0].Length).Select(c => rows.Max(r => r[c].Length)).ToArray();
            var b = new StringBuilder();
            foreach (var r in rows)
                b.AppendLine(string.Join("  ", r.Select((cell, c) => c == 0 ? cell.PadRight(widths[c]) : cell.PadLeft(widths[c]))).TrimEnd());
            return b.ToString();
        }
    }

    static string Ms(TimeSpan? t) => t is { } v ? (v.TotalMilliseconds >= 1000 ? $"{v.TotalSeconds:F2}s" : $"{v.TotalMilliseconds:F0}ms") : "-";
}

/// <summary>One teacher's counts in a run. <see cref="Verified"/>/<see cref="Correct"/> are set after verification.</summary>
public sealed class TeacherRunStats(string name, int requests)
{
    public string Name { get; } = name;
    public int Requests { get; } = requests;
    public int Done { get; internal set; }
    public int FromCache { get; internal set; }
    public int Failed { get; internal set; }
    public long PromptTokens { get; internal set; }
    public long CompletionTokens { get; internal set; }
    /// <summary>Replies checked against a reference answer, and how many of them were correct.</summary>
    public int Verified { get; internal set; }
    public int Correct { get; internal set; }
    /// <summary>Requests that reached the teacher (cache misses).</summary>
    public long TeacherCalls { get; internal set; }
    public List<TimeSpan> Latencies { get; } = [];
    /// <summary>The first distinct failure messages (at most 5).</summary>
    public List<string> Errors { get; } = [];

    public TimeSpan? LatencyPercentile(double q)
    {
        if (Latencies.Count == 0) return null;
        var sorted = Latencies.Order().ToList();
        return sorted[Math.Clamp((int)Math.Ceiling(q * sorted.Count) - 1, 0, sorted.Count - 1)];
    }
}
