namespace Avocado.Serving.Billing;

/// <summary>
/// What the gateway asks to hold before generating. RequestId is the idempotency key (the x-request-id):
/// reserving, settling or releasing it again never bills twice. InstanceId names the gateway process so a
/// recovery pass can find reservations whose owner is gone.
/// </summary>
public sealed record ReservationRequest(string RequestId, string KeyId, string Model, long PromptTokens, long MaxCompletionTokens)
{
    public string? InstanceId { get; init; }
}

public enum ReservationState { Open, Settled, Released }

/// <summary>
/// Money held for one request: Amount = cost of PromptTokens input and MaxCompletionTokens output at the price
/// captured at reservation (a price change never reprices a request in flight). RateTokens is what was counted
/// against the key's tokens-per-minute (prompt + max completion), corrected at settlement.
/// </summary>
public sealed record Reservation(
    string RequestId,
    string TenantId,
    string KeyId,
    string Model,
    string? InstanceId,
    long PromptTokens,
    long MaxCompletionTokens,
    Price Price,
    long Amount,
    long RateTokens,
    ReservationState State,
    long CheckpointCompletionTokens,
    long CheckpointReasoningTokens,
    DateTimeOffset? CheckpointAt,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);
