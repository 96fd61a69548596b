using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Avocado.Text.Chat;

namespace Avocado.Teachers;

/// <summary>What an endpoint returned for one choice, before reasoning is separated from the answer.</summary>
internal sealed record EndpointCompletion(
    string? Content, string? ReasoningField, IReadOnlyList<ToolCall> ToolCalls, string? FinishReason,
    int? PromptTokens, int? CompletionTokens, IReadOnlyList<EndpointToken>? Logprobs);

internal sealed record EndpointToken(string Token, float Logprob, byte[] Bytes, IReadOnlyList<TopLogprob> Top);

/// <summary>The JSON of <c>POST /v1/chat/completions</c> (non-streaming) as vLLM, Ollama and llama.cpp speak it.</summary>
internal static class ChatCompletionProtocol
{
    /// <summary>
    /// The request body. Written straight to a reused writer (<see cref="ScratchJson"/>): built as a JsonObject it was a
    /// tenth of a request's garbage through the data engine. A field of <paramref name="extra"/> replaces the standard
    /// field of the same name where that stands; the others follow, in their order — the bytes the object form wrote.
    /// </summary>
    public static byte[] WriteRequest(string model, TeacherRequest request, IReadOnlyDictionary<string, JsonNode?>? extra) =>
        ScratchJson.Build(relaxedEscaping: false, w => WriteBody(w, model, request, extra), json => json.ToArray());

    static void WriteBody(Utf8JsonWriter w, string model, TeacherRequest request, IReadOnlyDictionary<string, JsonNode?>? extra)
    {
        var replaced = extra is null ? null : new List<string>();
        w.WriteStartObject();
        if (Field(w, "model", extra, replaced)) w.WriteStringValue(model);
        if (Field(w, "messages", extra, replaced))
        {
            w.WriteStartArray();
            foreach (var m in request.Messages) WriteMessage(w, m);
            w.WriteEndArray();
        }
        if (Field(w, "stream", extra, replaced)) w.WriteBooleanValue(false);
        if (Field(w, "max_tokens", extra, replaced)) w.WriteNumberValue(request.Sampling.MaxTokens);
        if (Field(w, "temperature", extra, replaced)) w.WriteNumberValue(request.Sampling.Temperature);
        if (Field(w, "top_p", extra, replaced)) w.WriteNumberValue(request.Sampling.TopP);
        if (request.Sampling.TopK > 0 && Field(w, "top_k", extra, replaced)) w.WriteNumberValue(request.Sampling.TopK);
        if (request.EffectiveSeed is { } seed && Field(w, "seed", extra, replaced)) w.WriteNumberValue(seed);
        if (request.TopLogprobs is { } top)
        {
            if (Field(w, "logprobs", extra, replaced)) w.WriteBooleanValue(true);
            if (top > 0 && Field(w, "top_logprobs", extra, replaced)) w.WriteNumberValue(top);
        }
        if (TeacherPrompt.EffortName(request.ReasoningEffort) is { } effort && Field(w, "reasoning_effort", extra, replaced))
            w.WriteStringValue(effort);
        if (request.Tools is { Count: > 0 } tools && Field(w, "tools", extra, replaced))
        {
            w.WriteStartArray();
            foreach (var t in tools) WriteTool(w, t);
            w.WriteEndArray();
        }
        if (!request.EnableThinking && Field(w, "chat_template_kwargs", extra, replaced))
        {
            w.WriteStartObject();
            w.WriteBoolean("enable_thinking", false);
            w.WriteEndObject();
        }
        if (extra is not null)
            foreach (var (key, value) in extra)
                if (!replaced!.Contains(key))
                {
                    w.WritePropertyName(key);
                    WriteNode(w, value);
                }
        w.WriteEndObject();
    }

    /// <summary>Writes a standard field's name; true when the caller writes its value, false when a field of
    /// <paramref name="extra"/> took its place (written here).</summary>
    static bool Field(Utf8JsonWriter w, string name, IReadOnlyDictionary<string, JsonNode?>? extra, List<string>? replaced)
    {
        w.WritePropertyName(name);
        if (extra is null || !extra.TryGetValue(name, out var value)) return true;
        WriteNode(w, value);
        replaced!.Add(name);
        return false;
    }

    static void WriteNode(Utf8JsonWriter w, JsonNode? node)
    {
        if (node is null) w.WriteNullValue();
        else node.WriteTo(w);
    }

    static void WriteMessage(Utf8JsonWriter w, ChatMessage m)
    {
        w.WriteStartObject();
        w.WriteString("role", m.Role);
        w.WriteString("content", m.Content);
        if (m.Reasoning is not null) w.WriteString("reasoning_content", m.Reasoning);
        if (m.ToolCalls is { Count: > 0 } calls)
        {
            w.WriteStartArray("tool_calls");
            for (int i = 0; i < calls.Count; i++)
            {
                var c = calls[i];
                w.WriteStartObject();
                w.WriteString("id", c.Id ?? $"call_{i}");
                w.WriteString("type", "function");
                w.WriteStartObject("function");
                w.WriteString("name", c.Name);
                w.WriteString("arguments", c.ArgumentsJson);
                w.WriteEndObject();
                w.WriteEndObject();
            }
            w.WriteEndArray();
        }
        if (m.Name is not null) w.WriteString("name", m.Name);
        if (m.ToolCallId is not null) w.WriteString("tool_call_id", m.ToolCallId);
        w.WriteEndObject();
    }

    static void WriteTool(Utf8JsonWriter w, ToolDefinition t)
    {
        w.WriteStartObject();
        w.WriteString("type", "function");
        w.WriteStartObject("function");
        w.WriteString("name", t.Name);
        if (t.Description is not null) w.WriteString("description", t.Description);
        if (t.Parameters is { } p)
        {
            w.WritePropertyName("parameters");
            p.WriteTo(w);
        }
        w.WriteEndObject();
        w.WriteEndObject();
    }

    /// <summary>Reads a chat completion body; <see cref="FormatException"/> when it is not one.</summary>
    public static EndpointCompletion ReadResponse(ReadOnlySpan<byte> json)
    {
        JsonDocument doc;
        try
        {
            var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 256 });
            doc = JsonDocument.ParseValue(ref reader);
        }
        catch (JsonException e)
        {
            throw new FormatException($"the response is not valid JSON ({e.Message})", e);
        }
        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) throw new FormatException("the response is not a JSON object");
            if (Get(root, "error") is { } error)
                throw new FormatException("the response is an error: " + (error.ValueKind == JsonValueKind.Object && Get(error, "message") is { ValueKind: JsonValueKind.String } m ? m.GetString() : error.GetRawText()));
            if (Get(root, "choices") is not { ValueKind: JsonValueKind.Array } choices || choices.GetArrayLength() == 0)
                throw new FormatException("the response has no \"choices\"");
            var choice = choices[0];
            if (Get(choice, "message") is not { ValueKind: JsonValueKind.Object } message)
                throw new FormatException("choices[0] has no \"message\" object");

            string? reasoning = null;
            foreach (var key in (string[])["reasoning_content", "reasoning", "thinking"])
                if (Get(message, key) is { ValueKind: JsonValueKind.String } r && r.GetString() is { Length: > 0 } text) { reasoning = text; break; }

            int? promptTokens = null, completionTokens = null;
            if (Get(root, "usage") is { ValueKind: JsonValueKind.Object } usage)
            {
                promptTokens = Int(usage, "prompt_tokens");
                completionTokens = Int(usage, "completion_tokens");
            }
            return new EndpointCompletion(
                Content(Get(message, "content")), reasoning, ToolCalls(Get(message, "tool_calls")),
                Get(choice, "finish_reason") is { ValueKind: JsonValueKind.String } f ? f.GetString() : null,
                promptTokens, completionTokens, Logprobs(Get(choice, "logprobs")));
        }
    }

    static string? Content(JsonElement? content) => content switch
    {
        null => null,
        { ValueKind: JsonValueKind.String } s => s.GetString(),
        { ValueKind: JsonValueKind.Array } parts => string.Concat(parts.EnumerateArray()
            .Select(p => p.ValueKind == JsonValueKind.String ? p.GetString()
                : Get(p, "text") is { ValueKind: JsonValueKind.String } t ? t.GetString() : "")),
        _ => throw new FormatException("message.content is neither a string nor an array of parts"),
    };

    static IReadOnlyList<ToolCall> ToolCalls(JsonElement? calls)
    {
        if (calls is not { ValueKind: JsonValueKind.Array } array) return [];
        var list = new List<ToolCall>();
        foreach (var call in array.EnumerateArray())
        {
            var fn = Get(call, "function") is { ValueKind: JsonValueKind.Object } f ? f : call;
            if (Get(fn, "name") is not { ValueKind: JsonValueKind.String } name)
                throw new FormatException("a tool call has no function name");
            string args = Get(fn, "arguments") switch
            {
                null => "{}",
                { ValueKind: JsonValueKind.String } s => s.GetString()!,
                { } v => v.GetRawText(),
            };
            list.Add(new ToolCall(name.GetString()!, args, Get(call, "id") is { ValueKind: JsonValueKind.String } id ? id.GetString() : null));
        }
        return list;
    }

    static IReadOnlyList<EndpointToken>? Logprobs(JsonElement? logprobs)
    {
        if (logprobs is not { ValueKind: JsonValueKind.Object } lp || Get(lp, "content") is not { ValueKind: JsonValueKind.Array } content)
            return null;
        var tokens = new List<EndpointToken>();
        foreach (var t in content.EnumerateArray())
        {
            var (token, logprob, bytes) = TokenFields(t, "logprobs.content[]");
            var top = new List<TopLogprob>();
            if (Get(t, "top_logprobs") is { ValueKind: JsonValueKind.Array } alternatives)
                foreach (var a in alternatives.EnumerateArray())
                {
                    var (at, alp, _) = TokenFields(a, "top_logprobs[]");
                    top.Add(new TopLogprob(at, alp));
                }
            tokens.Add(new EndpointToken(token, logprob, bytes, top));
        }
        return tokens;
    }

    static (string Token, float Logprob, byte[] Bytes) TokenFields(JsonElement t, string where)
    {
        if (t.ValueKind != JsonValueKind.Object || Get(t, "token") is not { ValueKind: JsonValueKind.String } token)
            throw new FormatException($"{where} has no \"token\" string");
        float logprob = Get(t, "logprob") is { ValueKind: JsonValueKind.Number } n ? (float)n.GetDouble()
            : throw new FormatException($"{where} has no numeric \"logprob\"");
        byte[] bytes;
        if (Get(t, "bytes") is { ValueKind: JsonValueKind.Array } b)
        {
            bytes = new byte[b.GetArrayLength()];
            int i = 0;
            foreach (var x in b.EnumerateArray())
                bytes[i++] = x.TryGetByte(out var v) ? v : throw new FormatException($"{where}.bytes holds a value that is not a byte");
        }
        else bytes = Encoding.UTF8.GetBytes(token.GetString()!);
        return (token.GetString()!, logprob, bytes);
    }

    static int? Int(JsonElement o, string key) => Get(o, key) is { ValueKind: JsonValueKind.Number } n && n.TryGetInt32(out var v) ? v : null;

    static JsonElement? Get(JsonElement o, string key) =>
        o.ValueKind == JsonValueKind.Object && o.TryGetProperty(key, out var v) && v.ValueKind != JsonValueKind.Null ? v : null;
}
