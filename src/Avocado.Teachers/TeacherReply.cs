using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Avocado.Text.Chat;

namespace Avocado.Teachers;

public enum TeacherFinishReason
{
    /// <summary>The model ended its reply (a stop token).</summary>
    Stop,
    /// <summary>MaxTokens was reached.</summary>
    Length,
    /// <summary>The reply ends in tool calls.</summary>
    ToolCalls,
    /// <summary>Anything else an endpoint reported (content_filter, …).</summary>
    Other,
}

/// <summary>One of the most likely tokens at a position. <see cref="Id"/> is known for in-process teachers only.</summary>
public sealed record TopLogprob(string Token, float Logprob, int? Id = null);

/// <summary>
/// A generated token: its text, its log-probability under the teacher, the top alternatives, and the UTF-8 byte span
/// [<see cref="ByteOffset"/>, <see cref="ByteOffset"/> + <see cref="ByteLength"/>) of <see cref="TeacherReply.Text"/>
/// that it completed. Spans come from incremental decoding: a token ending inside a multi-byte character has an empty
/// span at the current offset, and the token completing the character covers all of its bytes. Spans are contiguous,
/// in order, and together cover the whole text, so cross-tokenizer alignment can work on byte offsets.
/// </summary>
public sealed record TokenLogprob(string Token, float Logprob, int ByteOffset, int ByteLength, IReadOnlyList<TopLogprob> Top)
{
    public int? Id { get; init; }
}

/// <summary>A teacher's answer to one <see cref="TeacherRequest"/>.</summary>
public sealed record TeacherReply
{
    /// <summary>The chain of thought, or null when the reply had none.</summary>
    public string? Reasoning { get; init; }
    /// <summary>The answer (reasoning and tool-call markup removed).</summary>
    public required string Content { get; init; }
    public IReadOnlyList<ToolCall> ToolCalls { get; init; } = [];
    public TeacherFinishReason FinishReason { get; init; }
    public int PromptTokens { get; init; }
    public int CompletionTokens { get; init; }
    /// <summary>
    /// The generated text the <see cref="Logprobs"/> spans index. In-process: every generated token decoded with
    /// special tokens kept (the stop token included). Endpoint with log-probabilities: the tokens' bytes joined;
    /// without: the message content as returned.
    /// </summary>
    public required string Text { get; init; }
    /// <summary>Per generated token, in order; null when the request asked for none.</summary>
    public IReadOnlyList<TokenLogprob>? Logprobs { get; init; }
    /// <summary>Wall-clock time from the call to the reply, queueing and retries included (the original call's, for a cached reply).</summary>
    [JsonPropertyName("latency_ms"), JsonConverter(typeof(MillisecondsJsonConverter))] public TimeSpan Latency { get; init; }
    /// <summary>SHA-256 (hex) of the teacher's prompt: the rendered chat text in-process, the canonical request JSON for endpoints.</summary>
    public required string PromptHash { get; init; }
    /// <summary>Provenance: which teacher, at which revision, under which license produced this.</summary>
    public string Teacher { get; init; } = "";
    public string Revision { get; init; } = "";
    public string License { get; init; } = "";
    /// <summary>True when <see cref="CachedTeacher"/> served this without calling the teacher (not stored).</summary>
    [JsonIgnore] public bool FromCache { get; init; }

    /// <summary>The text of a token's span (what <see cref="TokenLogprob.ByteOffset"/>/<see cref="TokenLogprob.ByteLength"/> select).</summary>
    public string SliceText(TokenLogprob token) =>
        Encoding.UTF8.GetString(Encoding.UTF8.GetBytes(Text), token.ByteOffset, token.ByteLength);
}

/// <summary>TimeSpan as a JSON number of milliseconds, to the tick (4 decimals).</summary>
internal sealed class MillisecondsJsonConverter : JsonConverter<TimeSpan>
{
    public override TimeSpan Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        TimeSpan.FromTicks((long)Math.Round(reader.GetDouble() * TimeSpan.TicksPerMillisecond));

    public override void Write(Utf8JsonWriter writer, TimeSpan value, JsonSerializerOptions options) =>
        writer.WriteNumberValue(value.Ticks / (decimal)TimeSpan.TicksPerMillisecond);
}
