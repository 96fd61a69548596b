using System.Text.Json;
using System.Text.Json.Serialization;

namespace Avocado.Data.Dataset;

/// <summary>
/// One row of a distillation set: a prompt, one teacher's reply and where it came from (teacher, revision, license,
/// sampling, sample index), how it was checked and why it was kept. A row of the Parquet shards
/// (<c>data/train-00000-of-00001.parquet</c>, nested columns) or a line of JSONL shards; snake_case names in both.
/// </summary>
public sealed record DatasetRecord
{
    /// <summary><c>{prompt_id}/{teacher}/{sample_index}</c>: unique in a dataset.</summary>
    [JsonPropertyName("id")] public string Id { get; init; } = "";
    [JsonPropertyName("prompt_id")] public string PromptId { get; init; } = "";
    /// <summary>The prompt set's name and the file the prompt came from (<c>gsm8k:train.jsonl</c>).</summary>
    [JsonPropertyName("prompt_source")] public string PromptSource { get; init; } = "";
    [JsonPropertyName("skill")] public string? Skill { get; init; }
    [JsonPropertyName("language")] public string? Language { get; init; }
    /// <summary>The prompt's messages, then the assistant's answer (reasoning in <see cref="Reasoning"/>).</summary>
    [JsonPropertyName("messages")] public List<RecordMessage> Messages { get; init; } = [];
    [JsonPropertyName("reasoning")] public string? Reasoning { get; init; }
    [JsonPropertyName("answer")] public string Answer { get; init; } = "";
    [JsonPropertyName("teacher")] public string Teacher { get; init; } = "";
    [JsonPropertyName("family")] public string Family { get; init; } = "";
    [JsonPropertyName("model_revision")] public string ModelRevision { get; init; } = "";
    [JsonPropertyName("license")] public string License { get; init; } = "";
    /// <summary>The reply comes from a Gemma model: the Gemma Terms of Use apply to it and to what is trained on it.</summary>
    [JsonPropertyName("gemma_terms")] public bool GemmaTerms { get; init; }
    [JsonPropertyName("sampling")] public RecordSampling Sampling { get; init; } = new();
    [JsonPropertyName("sample_index")] public int SampleIndex { get; init; }
    [JsonPropertyName("finish_reason")] public string FinishReason { get; init; } = "";
    [JsonPropertyName("prompt_tokens")] public int PromptTokens { get; init; }
    [JsonPropertyName("completion_tokens")] public int CompletionTokens { get; init; }
    /// <summary>Null when the verifier is off.</summary>
    [JsonPropertyName("verification")] public RecordVerification? Verification { get; init; }
    [JsonPropertyName("selection")] public RecordSelection Selection { get; init; } = new();
    /// <summary>The text the logprobs cover (the generated tokens, specials kept); null without logprobs.</summary>
    [JsonPropertyName("text")] public string? Text { get; init; }
    /// <summary>Per generated token: its logprob, its UTF-8 byte span of <see cref="Text"/>, and the top-k alternatives.</summary>
    [JsonPropertyName("logprobs")] public List<RecordToken>? Logprobs { get; init; }

    public static JsonSerializerOptions Json { get; } = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };
}

public sealed record RecordMessage
{
    [JsonPropertyName("role")] public string Role { get; init; } = "";
    [JsonPropertyName("content")] public string? Content { get; init; }
}

public sealed record RecordSampling
{
    [JsonPropertyName("temperature")] public double Temperature { get; init; }
    [JsonPropertyName("top_p")] public double TopP { get; init; }
    [JsonPropertyName("top_k")] public int TopK { get; init; }
    [JsonPropertyName("max_tokens")] public int MaxTokens { get; init; }
    /// <summary>The effective seed (config seed + sample index); null when unseeded.</summary>
    [JsonPropertyName("seed")] public long? Seed { get; init; }
}

public sealed record RecordVerification
{
    /// <summary>Correct, Incorrect, NoAnswer or NoReference.</summary>
    [JsonPropertyName("verdict")] public string Verdict { get; init; } = "";
    [JsonPropertyName("extracted")] public string? Extracted { get; init; }
    [JsonPropertyName("reference")] public string? Reference { get; init; }
    [JsonPropertyName("method")] public string Method { get; init; } = "";
}

public sealed record RecordSelection
{
    [JsonPropertyName("policy")] public string Policy { get; init; } = "";
    [JsonPropertyName("reason")] public string Reason { get; init; } = "";
    [JsonPropertyName("score")] public double Score { get; init; }
}

public sealed record RecordToken
{
    [JsonPropertyName("token")] public string Token { get; init; } = "";
    [JsonPropertyName("logprob")] public float Logprob { get; init; }
    /// <summary>The UTF-8 byte span <c>[byte_offset, byte_offset + byte_length)</c> of the record's text.</summary>
    [JsonPropertyName("byte_offset")] public int ByteOffset { get; init; }
    [JsonPropertyName("byte_length")] public int ByteLength { get; init; }
    [JsonPropertyName("top")] public List<RecordTopToken>? Top { get; init; }
}

public sealed record RecordTopToken
{
    [JsonPropertyName("token")] public string Token { get; init; } = "";
    [JsonPropertyName("logprob")] public float Logprob { get; init; }
}
