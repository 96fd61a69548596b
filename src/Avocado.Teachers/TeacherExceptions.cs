namespace Avocado.Teachers;

/// <summary>One failed attempt: when, what kind ("http_503", "timeout", "connection", "bad_response", …), the HTTP
/// status when there was one, and the message.</summary>
public sealed record TeacherFailure(DateTimeOffset At, string Kind, int? Status, string Message)
{
    public override string ToString() => $"[{At:HH:mm:ss.fff}] {Kind}: {Message}";
}

/// <summary>Base of the errors a teacher reports; <see cref="Teacher"/> names it.</summary>
public abstract class TeacherException(string teacher, string message, Exception? inner = null) : Exception(message, inner)
{
    public string Teacher { get; } = teacher;
}

/// <summary>
/// The teacher could not serve the request: every attempt failed, or its circuit breaker is open after repeated
/// failures. Carries the last errors so a run reports the teacher rather than silently dropping its examples;
/// <see cref="RetryAt"/> says when the breaker lets a probe through again.
/// </summary>
public sealed class TeacherUnavailableException(string teacher, string message, IReadOnlyList<TeacherFailure> lastErrors,
    int attempts, DateTimeOffset? retryAt, TeacherStats? stats)
    : TeacherException(teacher, message)
{
    public IReadOnlyList<TeacherFailure> LastErrors { get; } = lastErrors;
    /// <summary>Attempts this request made (0 when the open breaker refused it outright).</summary>
    public int Attempts { get; } = attempts;
    public DateTimeOffset? RetryAt { get; } = retryAt;
    /// <summary>The teacher's counters when this was thrown.</summary>
    public TeacherStats? Stats { get; } = stats;
}

/// <summary>The teacher rejected the request itself (HTTP 400/401/403/404/422…): retrying cannot help, and the
/// teacher is not counted as failing.</summary>
public sealed class TeacherRequestException(string teacher, string message, int? status = null, string? body = null, Exception? inner = null)
    : TeacherException(teacher, message, inner)
{
    public int? Status { get; } = status;
    public string? Body { get; } = body;
}
