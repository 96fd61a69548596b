using System.Text.Json;
using Avocado.Serving.Gateway.Backends;
using Avocado.Text.Chat;

namespace Avocado.Serving.Gateway.Protocol;

/// <summary>Token counts reported to the client and billed; the same numbers go to both.</summary>
public sealed record UsageCounts(int PromptTokens, int CompletionTokens, int ReasoningTokens)
{
    public int TotalTokens => PromptTokens + CompletionTokens;
}

/// <summary>Collected result of one choice, for non-streamed responses.</summary>
public sealed class ChoiceResult
{
    public System.Text.StringBuilder Content { get; } = new();
    public System.Text.StringBuilder Reasoning { get; } = new();
    public List<ToolCall> ToolCalls { get; } = [];
    public List<TokenLogprob> Logprobs { get; } = [];
    public string Finish { get; set; } = "stop";
}

/// <summary>Writes OpenAI response bodies and stream chunks with Utf8JsonWriter (no intermediate object graphs).</summary>
public sealed class ResponseWriter(string id, string model, long created, bool chat)
{
    // Text stays readable UTF-8 on the wire; JSON-significant characters are still escaped.
    static readonly JsonWriterOptions WriterOptions = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public byte[] Chunk(int index, GenerationDelta? delta, bool first, string? finish)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, WriterOptions))
        {
            Header(w, chat ? "chat.completion.chunk" : "text_completion");
            w.WriteStartArray("choices");
            w.WriteStartObject();
            w.WriteNumber("index", index);
            if (chat)
            {
                w.WriteStartObject("delta");
                if (first) w.WriteString("role", "assistant");
                if (delta?.Content is { } c) w.WriteString("content", c);
                if (delta?.Reasoning is { } r) w.WriteString("reasoning_content", r);
                if (delta?.ToolCall is { } t)
                {
                    w.WriteStartArray("tool_calls");
                    ToolCallJson(w, t, 0, withIndex: true);
                    w.WriteEndArray();
                }
                w.WriteEndObject();
                if (delta?.Logprobs is { Count: > 0 } lp) ChatLogprobs(w, lp);
                else w.WriteNull("logprobs");
            }
            else
            {
                w.WriteString("text", delta?.Content ?? "");
                if (delta?.Logprobs is { Count: > 0 } lp) CompletionLogprobs(w, lp);
                else w.WriteNull("logprobs");
            }
            if (finish is null) w.WriteNull("finish_reason"); else w.WriteString("finish_reason", finish);
            w.WriteEndObject();
            w.WriteEndArray();
            w.WriteNull("usage");
            w.WriteEndObject();
        }
        return buffer.ToArray();
    }

    /// <summary>The extra last chunk of <c>stream_options.include_usage</c>: no choices, full usage.</summary>
    public byte[] UsageChunk(UsageCounts usage)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, WriterOptions))
        {
            Header(w, chat ? "chat.completion.chunk" : "text_completion");
            w.WriteStartArray("choices");
            w.WriteEndArray();
            Usage(w, usage);
            w.WriteEndObject();
        }
        return buffer.ToArray();
    }

    public byte[] Complete(IReadOnlyList<ChoiceResult> choices, UsageCounts usage, bool logprobs)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, WriterOptions))
        {
            Header(w, chat ? "chat.completion" : "text_completion");
            w.WriteStartArray("choices");
            for (int i = 0; i < choices.Count; i++)
            {
                var c = choices[i];
                w.WriteStartObject();
                w.WriteNumber("index", i);
                if (chat)
                {
                    w.WriteStartObject("message");
                    w.WriteString("role", "assistant");
                    if (c.ToolCalls.Count > 0 && c.Content.Length == 0) w.WriteNull("content");
                    else w.WriteString("content", c.Content.ToString());
                    if (c.Reasoning.Length > 0) w.WriteString("reasoning_content", c.Reasoning.ToString());
                    if (c.ToolCalls.Count > 0)
                    {
                        w.WriteStartArray("tool_calls");
                        for (int t = 0; t < c.ToolCalls.Count; t++) ToolCallJson(w, c.ToolCalls[t], t, withIndex: false);
                        w.WriteEndArray();
                    }
                    w.WriteNull("refusal");
                    w.WriteEndObject();
                    if (logprobs) ChatLogprobs(w, c.Logprobs); else w.WriteNull("logprobs");
                }
                else
                {
                    w.WriteString("text", c.Content.ToString());
                    if (logprobs) CompletionLogprobs(w, c.Logprobs); else w.WriteNull("logprobs");
                }
                w.WriteString("finish_reason", c.Finish);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            Usage(w, usage);
            w.WriteEndObject();
        }
        return buffer.ToArray();
    }

    void Header(Utf8JsonWriter w, string obj)
    {
        w.WriteStartObject();
        w.WriteString("id", id);
        w.WriteString("object", obj);
        w.WriteNumber("created", created);
        w.WriteString("model", model);
        w.WriteString("system_fingerprint", "avocado");
    }

    static void Usage(Utf8JsonWriter w, UsageCounts u)
    {
        w.WriteStartObject("usage");
        w.WriteNumber("prompt_tokens", u.PromptTokens);
        w.WriteNumber("completion_tokens", u.CompletionTokens);
        w.WriteNumber("total_tokens", u.TotalTokens);
        w.WriteStartObject("prompt_tokens_details");
        w.WriteNumber("cached_tokens", 0);
        w.WriteEndObject();
        w.WriteStartObject("completion_tokens_details");
        w.WriteNumber("reasoning_tokens", u.ReasoningTokens);
        w.WriteEndObject();
        w.WriteEndObject();
    }

    static void ToolCallJson(Utf8JsonWriter w, ToolCall t, int index, bool withIndex)
    {
        w.WriteStartObject();
        if (withIndex) w.WriteNumber("index", index);
        w.WriteString("id", t.Id ?? "call_" + Guid.NewGuid().ToString("N")[..24]);
        w.WriteString("type", "function");
        w.WriteStartObject("function");
        w.WriteString("name", t.Name);
        w.WriteString("arguments", t.ArgumentsJson);
        w.WriteEndObject();
        w.WriteEndObject();
    }

    static void ChatLogprobs(Utf8JsonWriter w, IReadOnlyList<TokenLogprob> lps)
    {
        w.WriteStartObject("logprobs");
        w.WriteStartArray("content");
        foreach (var lp in lps)
        {
            w.WriteStartObject();
            TokenFields(w, lp.Token, lp.Logprob, lp.Bytes);
            w.WriteStartArray("top_logprobs");
            foreach (var (token, logprob, bytes) in lp.Top)
            {
                w.WriteStartObject();
                TokenFields(w, token, logprob, bytes);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteNull("refusal");
        w.WriteEndObject();
    }

    static void TokenFields(Utf8JsonWriter w, string token, float logprob, byte[] bytes)
    {
        w.WriteString("token", token);
        w.WriteNumber("logprob", logprob);
        w.WriteStartArray("bytes");
        foreach (var b in bytes) w.WriteNumberValue(b);
        w.WriteEndArray();
    }

    static void CompletionLogprobs(Utf8JsonWriter w, IReadOnlyList<TokenLogprob> lps)
    {
        w.WriteStartObject("logprobs");
        w.WriteStartArray("tokens");
        foreach (var lp in lps) w.WriteStringValue(lp.Token);
        w.WriteEndArray();
        w.WriteStartArray("token_logprobs");
        foreach (var lp in lps) w.WriteNumberValue(lp.Logprob);
        w.WriteEndArray();
        w.WriteStartArray("top_logprobs");
        foreach (var lp in lps)
        {
            w.WriteStartObject();
            foreach (var (token, logprob, _) in lp.Top.DistinctBy(t => t.Token)) w.WriteNumber(token, logprob);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();
    }
}
