namespace Avocado.Teachers;

public enum BreakerState { Closed, Open, HalfOpen }

/// <summary>
/// A teacher's health counters, as a snapshot. <see cref="Requests"/> = <see cref="Succeeded"/> +
/// <see cref="Failed"/> + <see cref="Rejected"/> + <see cref="Cancelled"/> + in flight. <see cref="FailuresByKind"/>
/// counts failed attempts ("http_503", "timeout", "connection", …); <see cref="LastErrors"/> holds the most recent.
/// </summary>
public sealed record TeacherStats
{
    public string Teacher { get; init; } = "";
    public long Requests { get; init; }
    public long Succeeded { get; init; }
    /// <summary>Requests that ended in an error (unavailable after retries, or rejected by the server as invalid).</summary>
    public long Failed { get; init; }
    /// <summary>Requests refused before their first call because the circuit was open (one refused on a retry counts as failed).</summary>
    public long Rejected { get; init; }
    public long Cancelled { get; init; }
    public long Attempts { get; init; }
    public long Retries { get; init; }
    public long FailedAttempts { get; init; }
    public IReadOnlyDictionary<string, long> FailuresByKind { get; init; } = new Dictionary<string, long>();
    public BreakerState Breaker { get; init; }
    public int ConsecutiveFailures { get; init; }
    public long BreakerOpenings { get; init; }
    public DateTimeOffset? OpenUntil { get; init; }
    public IReadOnlyList<TeacherFailure> LastErrors { get; init; } = [];

    public override string ToString() =>
        $"{Teacher}: {Requests} requests, {Succeeded} ok, {Failed} failed, {Rejected} rejected (circuit open), {Retries} retries; " +
        $"breaker {Breaker} ({ConsecutiveFailures} consecutive failures, opened {BreakerOpenings}×)" +
        (FailuresByKind.Count > 0 ? "; failures: " + string.Join(", ", FailuresByKind.OrderByDescending(kv => kv.Value).Select(kv => $"{kv.Key} ×{kv.Value}")) : "");
}

/// <summary>Teachers that keep health counters implement this (the endpoint teacher; the cache forwards its inner one's).</summary>
public interface ITeacherDiagnostics
{
    TeacherStats Stats { get; }
}

/// <summary>Thread-safe counters behind <see cref="TeacherStats"/>.</summary>
internal sealed class TeacherStatsRecorder(string teacher, int keepErrors = 20)
{
    readonly object gate = new();
    readonly Queue<TeacherFailure> lastErrors = new();
    readonly Dictionary<string, long> byKind = [];
    long requests, succeeded, failed, rejected, cancelled, attempts, retries, failedAttempts;

    public void Request() => Interlocked.Increment(ref requests);
    public void Attempt() => Interlocked.Increment(ref attempts);
    public void Retry() => Interlocked.Increment(ref retries);
    public void Succeeded() => Interlocked.Increment(ref succeeded);
    public void Failed() => Interlocked.Increment(ref failed);
    public void Rejected() => Interlocked.Increment(ref rejected);
    public void Cancelled() => Interlocked.Increment(ref cancelled);

    public void FailedAttempt(TeacherFailure failure)
    {
        Interlocked.Increment(ref failedAttempts);
        lock (gate)
        {
            byKind[failure.Kind] = byKind.GetValueOrDefault(failure.Kind) + 1;
            lastErrors.Enqueue(failure);
            while (lastErrors.Count > keepErrors) lastErrors.Dequeue();
        }
    }

    public IReadOnlyList<TeacherFailure> LastErrors(int count)
    {
        lock (gate) return lastErrors.TakeLast(count).ToArray();
    }

    public TeacherStats Snapshot(CircuitBreaker.Snapshot breaker)
    {
        lock (gate)
            return new TeacherStats
            {
                Teacher = teacher,
                Requests = Interlocked.Read(ref requests),
                Succeeded = Interlocked.Read(ref succeeded),
                Failed = Interlocked.Read(ref failed),
                Rejected = Interlocked.Read(ref rejected),
                Cancelled = Interlocked.Read(ref cancelled),
                Attempts = Interlocked.Read(ref attempts),
                Retries = Interlocked.Read(ref retries),
                FailedAttempts = Interlocked.Read(ref failedAttempts),
                FailuresByKind = new Dictionary<string, long>(byKind),
                Breaker = breaker.State,
                ConsecutiveFailures = breaker.ConsecutiveFailures,
                BreakerOpenings = breaker.Openings,
                OpenUntil = breaker.OpenUntil,
                LastErrors = lastErrors.ToArray(),
            };
    }
}
