namespace Avocado.Teachers;

// Ours, not Polly: ~100 lines whose state (openings, refusals, next probe time) feeds teacher stats and error messages directly, on an injected TimeProvider.

/// <summary>
/// Consecutive-failure circuit breaker. Closed: calls pass; <c>threshold</c> failed attempts in a row open it. Open:
/// calls are refused until <c>breakDuration</c> has passed. Half-open: exactly one probe passes; its success closes
/// the circuit, its failure opens it for another <c>breakDuration</c>. Time comes from the injected provider.
/// </summary>
internal sealed class CircuitBreaker(int threshold, TimeSpan breakDuration, TimeProvider time)
{
    public readonly record struct Snapshot(BreakerState State, int ConsecutiveFailures, long Openings, DateTimeOffset? OpenUntil);

    public enum Admission { Allowed, Probe, Refused }

    readonly object gate = new();
    BreakerState state = BreakerState.Closed;
    int consecutiveFailures;
    long openings;
    DateTimeOffset openUntil;
    bool probeInFlight;

    /// <summary>Asks to make a call; <paramref name="retryAt"/> is set when refused.</summary>
    public Admission TryEnter(out DateTimeOffset retryAt)
    {
        lock (gate)
        {
            retryAt = default;
            if (state == BreakerState.Open)
            {
                if (time.GetUtcNow() < openUntil)
                {
                    retryAt = openUntil;
                    return Admission.Refused;
                }
                state = BreakerState.HalfOpen;
                probeInFlight = false;
            }
            if (state == BreakerState.HalfOpen)
            {
                if (probeInFlight)
                {
                    retryAt = time.GetUtcNow();
                    return Admission.Refused;
                }
                probeInFlight = true;
                return Admission.Probe;
            }
            return Admission.Allowed;
        }
    }

    public void Success()
    {
        lock (gate)
        {
            consecutiveFailures = 0;
            state = BreakerState.Closed;
            probeInFlight = false;
        }
    }

    public void Failure(Admission admission)
    {
        lock (gate)
        {
            consecutiveFailures++;
            bool open = state switch
            {
                BreakerState.Closed => consecutiveFailures >= threshold,
                BreakerState.HalfOpen => true,   // the probe failed (or a call admitted before the opening did)
                _ => false,                      // already open: a late failure does not extend the break
            };
            if (admission == Admission.Probe) probeInFlight = false;
            if (!open) return;
            state = BreakerState.Open;
            openUntil = time.GetUtcNow() + breakDuration;
            openings++;
            probeInFlight = false;
        }
    }

    /// <summary>The call ended without telling anything about the teacher's health (cancelled, invalid request).</summary>
    public void Neutral(Admission admission)
    {
        lock (gate)
            if (admission == Admission.Probe && state == BreakerState.HalfOpen) probeInFlight = false;
    }

    public Snapshot Current
    {
        get
        {
            lock (gate)
            {
                var s = state == BreakerState.Open && time.GetUtcNow() >= openUntil ? BreakerState.HalfOpen : state;
                return new Snapshot(s, consecutiveFailures, openings, state == BreakerState.Open ? openUntil : null);
            }
        }
    }
}
