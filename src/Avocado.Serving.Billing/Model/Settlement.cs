namespace Avocado.Serving.Billing;

/// <summary>
/// Tokens a request really used, as in OpenAI's usage: ReasoningTokens are part of CompletionTokens (and
/// billed as output); they are recorded apart for reporting.
/// </summary>
public sealed record TokenUsage(long PromptTokens, long CompletionTokens, long ReasoningTokens = 0)
{
    internal void Validate()
    {
        if (PromptTokens < 0) throw new ArgumentOutOfRangeException(nameof(PromptTokens), PromptTokens, "must be ≥ 0");
        if (CompletionTokens < 0) throw new ArgumentOutOfRangeException(nameof(CompletionTokens), CompletionTokens, "must be ≥ 0");
        if (ReasoningTokens < 0 || ReasoningTokens > CompletionTokens)
            throw new ArgumentOutOfRangeException(nameof(ReasoningTokens), ReasoningTokens, "must be between 0 and CompletionTokens (reasoning is part of the completion)");
    }
}

public enum CloseStatus
{
    /// <summary>This call settled the reservation: usage recorded, one charge written, the rest released.</summary>
    Settled,
    /// <summary>This call released the reservation without charge.</summary>
    Released,
    /// <summary>It was settled before (a replay): nothing written; Usage is the original record.</summary>
    AlreadySettled,
    /// <summary>It was released before: nothing written.</summary>
    AlreadyReleased,
    /// <summary>No reservation has this request id.</summary>
    NotFound,
}

/// <summary>The outcome of settling or releasing a reservation.</summary>
public sealed record CloseResult(CloseStatus Status, Reservation? Reservation, UsageRecord? Usage, Balance? Balance)
{
    /// <summary>Nano-USD charged by this call (0 unless Status is Settled).</summary>
    public long Charged => Status == CloseStatus.Settled && Usage is not null ? Usage.Cost : 0;
}
