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
    public static byte[] WriteRequest(string model, TeacherRequest request, IReadOnlyDictionary<string, JsonNode?>? extra)
    {
        var body = new JsonObject
        {
            ["model"] = model,
            ["messages"] = new JsonArray([.. request.Messages.Select(Message)]),
            ["stream"] = false,
            ["max_tokens"] = request.Sampling.MaxTokens,
            ["temperature"] = request.Sampling.Temperature,
            ["top_p"] = request.Sampling.TopP,
        };
        if (request.Sampling.TopK > 0) body["top_k"] = request.Sampling.TopK;
        if (request.EffectiveSeed is { } seed) body["seed"] = seed;
        if (request.TopLogprobs is { } top)
        {
            body["logprobs"] = true;
            if (top > 0) body["top_logprobs"] = top;
        }
        if (TeacherPrompt.EffortName(request.ReasoningEffort) is { } effort) body["reasoning_effort"] = effort;
        if (request.Tools is { Count: > 0 } tools) body["tools"] = new JsonArray([.. tools.Select(Tool)]);
        if (!request.EnableThinking) body["chat_template_kwargs"] = new JsonObject { ["enable_thinking"] = false };
        if (extra is not null)
            foreach (var (key, value) in extra) body[key] = value?.DeepClone();
        return Encoding.UTF8.GetBytes(body.ToJsonString());
    }

    static JsonNode Message(ChatMessage m)
    {
        var o = new JsonObject { ["role"] = m.Role, ["content"] = m.Content };
        if (m.Reasoning is not null) o["reasoning_content"] = m.Reasoning;
        if (m.ToolCalls is { Count: > 0 } calls)
            o["tool_calls"] = new JsonArray([.. calls.Select((c, i) => (JsonNode)new JsonObject
            {
                ["id"] = c.Id ?? $"call_{i}",
                ["type"] = "function",
                ["function"] = new JsonObject { ["name"] = c.Name, ["arguments"] = c.ArgumentsJson },
            })]);
        if (m.Name is not null) o["name"] = m.Name;
        if (m.ToolCallId is not null) o["tool_call_id"] = m.ToolCallId;
        return o;
    }

    static JsonNode Tool(ToolDefinition t)
    {
        var fn = new JsonObject { ["name"] = t.Name };
        if (t.Description is not null) fn["description"] = t.Description;
        if (t.Parameters is { } p) fn["parameters"] = JsonNode.Parse(p.GetRawText());
        return new JsonObject { ["type"] = "function", ["function"] = fn };
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
