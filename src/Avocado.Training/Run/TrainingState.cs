using System.Text.Json;
using System.Text.Json.Serialization;

namespace Avocado.Training.Run;

/// <summary>What a checkpoint needs besides tensors to continue exactly: the step, the data cursor (micro-batches
/// consumed; the packing plan is a pure function of it), tokens seen, and the config it was made with. There is no
/// random state to save: data order comes from a counter-based generator and training itself draws no random numbers.</summary>
public sealed record TrainingState
{
    [JsonPropertyName("step")] public int Step { get; init; }
    [JsonPropertyName("micro_batches")] public long MicroBatches { get; init; }
    [JsonPropertyName("epoch")] public int Epoch { get; init; }
    [JsonPropertyName("tokens")] public long Tokens { get; init; }
    [JsonPropertyName("target_tokens")] public long TargetTokens { get; init; }
    [JsonPropertyName("seed")] public long Seed { get; init; }
    [JsonPropertyName("config_sha256")] public string ConfigHash { get; init; } = "";
    [JsonPropertyName("elapsed_seconds")] public double ElapsedSeconds { get; init; }

    public static readonly JsonSerializerOptions Json = new() { WriteIndented = true };
}
