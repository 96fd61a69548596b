using System.Text.Json;
using Avocado.Text.Chat;

namespace Avocado.Serving.Gateway.Protocol;

/// <summary>The fields of <c>POST /v1/chat/completions</c> (and, with <see cref="Prompt"/> set, of
/// <c>POST /v1/completions</c>) that the gateway honours, validated.</summary>
public sealed record GenerationParameters
{
    public required string Model { get; init; }
    public IReadOnlyList<ChatMessage> Messages { get; init; } = [];
    /// <summary>Raw prompt of /v1/completions (no chat template).</summary>
    public string? Prompt { get; init; }
    public IReadOnlyList<ToolDefinition> Tools { get; init; } = [];
    public int? MaxTokens { get; init; }
    public double? Temperature { get; init; }
    public double? TopP { get; init; }
    public int? TopK { get; init; }
    public double? RepetitionPenalty { get; init; }
    public int N { get; init; } = 1;
    public IReadOnlyList<string> Stop { get; init; } = [];
    public long? Seed { get; init; }
    public bool Logprobs { get; init; }
    public int TopLogprobs { get; init; }
    public ReasoningEffort? ReasoningEffort { get; init; }
    public bool Stream { get; init; }
    public bool IncludeUsage { get; init; }
    public string? User { get; init; }
    /// <summary>The request body as received, forwarded as-is to upstream backends.</summary>
    public JsonElement Raw { get; init; }
}

public static class RequestParser
{
    public const int MaxN = 8;
    public const int MaxTopLogprobs = 20;

    static readonly HashSet<string> Roles = ["system", "developer", "user", "assistant", "tool"];

    public static GenerationParameters ParseChat(JsonElement body)
    {
        var f = Root(body);
        var messages = f.Array("messages") ?? throw ApiError.BadRequest("Missing required parameter: 'messages'.", "messages", "missing_required_parameter");
        if (messages.GetArrayLength() == 0) throw ApiError.BadRequest("'messages' must contain at least one message.", "messages", "empty_array");
        var parsed = messages.EnumerateArray().Select((m, i) => Message(m, i)).ToList();
        return Common(f, body) with
        {
            Messages = parsed,
            Tools = Tools(f),
            MaxTokens = (int?)(f.Integer("max_completion_tokens", 1, int.MaxValue) ?? f.Integer("max_tokens", 1, int.MaxValue)),
            Logprobs = f.Bool("logprobs") ?? false,
            TopLogprobs = TopLogprobs(f),
            ReasoningEffort = f.String("reasoning_effort") switch
            {
                null => null,
                "low" => Avocado.Text.Chat.ReasoningEffort.Low,
                "medium" => Avocado.Text.Chat.ReasoningEffort.Medium,
                "high" => Avocado.Text.Chat.ReasoningEffort.High,
                var e => throw ApiError.BadRequest($"'reasoning_effort' must be low, medium or high, got '{e}'.", "reasoning_effort", "invalid_value"),
            },
        };
    }

    public static GenerationParameters ParseCompletion(JsonElement body)
    {
        var f = Root(body);
        var prompt = f.Get("prompt") switch
        {
            null => throw ApiError.BadRequest("Missing required parameter: 'prompt'.", "prompt", "missing_required_parameter"),
            { ValueKind: JsonValueKind.String } s => s.GetString()!,
            { ValueKind: JsonValueKind.Array } a when a.GetArrayLength() == 1 && a[0].ValueKind == JsonValueKind.String => a[0].GetString()!,
            _ => throw ApiError.BadRequest("'prompt' must be a string (batches of prompts are not supported; send one request each).", "prompt", "invalid_type"),
        };
        if (f.Bool("echo") == true) throw ApiError.BadRequest("'echo' is not supported.", "echo", "unsupported_parameter");
        var logprobs = (int?)f.Integer("logprobs", 0, 5);
        return Common(f, body) with
        {
            Prompt = prompt,
            MaxTokens = (int?)f.Integer("max_tokens", 1, int.MaxValue) ?? 16, // OpenAI's default for completions
            Logprobs = logprobs is > 0,
            TopLogprobs = logprobs ?? 0,
        };
    }

    static JsonFields Root(JsonElement body) => body.ValueKind == JsonValueKind.Object ? new JsonFields(body)
        : throw ApiError.BadRequest("The request body must be a JSON object.", null, "invalid_json");

    static GenerationParameters Common(JsonFields f, JsonElement body)
    {
        foreach (var penalty in (string[])["frequency_penalty", "presence_penalty"])
            if (f.Number(penalty, -2, 2) is { } p && p != 0)
                throw ApiError.BadRequest($"'{penalty}' is not supported (use 'repetition_penalty').", penalty, "unsupported_parameter");
        if (f.Object("response_format") is { } rf && new JsonFields(rf, "response_format.").String("type") is { } t && t != "text")
            throw ApiError.BadRequest($"response_format '{t}' is not supported; only 'text'.", "response_format", "unsupported_parameter");
        var streamOptions = f.Object("stream_options");
        var stream = f.Bool("stream") ?? false;
        if (streamOptions is not null && !stream)
            throw ApiError.BadRequest("'stream_options' is only allowed when 'stream' is true.", "stream_options", "invalid_value");
        return new GenerationParameters
        {
            Model = f.RequiredString("model"),
            Temperature = f.Number("temperature", 0, 2),
            TopP = f.Number("top_p", 0, 1) is { } tp ? (tp > 0 ? tp : throw ApiError.BadRequest("'top_p' must be greater than 0.", "top_p", "invalid_value")) : null,
            TopK = (int?)f.Integer("top_k", 0, 1_000_000),
            RepetitionPenalty = f.Number("repetition_penalty", 0.01, 10),
            N = (int)(f.Integer("n", 1, MaxN) ?? 1),
            Stop = f.StringOrArray("stop", 4),
            Seed = f.Integer("seed", long.MinValue, long.MaxValue),
            Stream = stream,
            IncludeUsage = streamOptions is { } so && (new JsonFields(so, "stream_options.").Bool("include_usage") ?? false),
            User = f.String("user"),
            Raw = body.Clone(),
        };
    }

    static int TopLogprobs(JsonFields f)
    {
        var top = (int)(f.Integer("top_logprobs", 0, MaxTopLogprobs) ?? 0);
        if (top > 0 && f.Bool("logprobs") != true)
            throw ApiError.BadRequest("'top_logprobs' requires 'logprobs' to be true.", "top_logprobs", "invalid_value");
        return top;
    }

    static ChatMessage Message(JsonElement m, int i)
    {
        var where = $"messages[{i}].";
        if (m.ValueKind != JsonValueKind.Object) throw ApiError.BadRequest($"'messages[{i}]' must be an object.", $"messages[{i}]", "invalid_type");
        var f = new JsonFields(m, where);
        var role = f.RequiredString("role");
        if (!Roles.Contains(role))
            throw ApiError.BadRequest($"'{where}role' must be one of system, developer, user, assistant, tool; got '{role}'.", where + "role", "invalid_value");
        var content = Content(f, where);
        var toolCalls = ToolCalls(f, where);
        if (content is null && toolCalls is null)
            throw ApiError.BadRequest($"'{where}content' is required.", where + "content", "missing_required_parameter");
        return new ChatMessage(role == "developer" ? "system" : role, content)
        {
            Reasoning = f.String("reasoning_content") ?? f.String("reasoning"),
            ToolCalls = toolCalls,
            Name = f.String("name"),
            ToolCallId = f.String("tool_call_id"),
        };
    }

    static string? Content(JsonFields f, string where)
    {
        if (f.Get("content") is not { } c) return null;
        if (c.ValueKind == JsonValueKind.String) return c.GetString();
        if (c.ValueKind != JsonValueKind.Array) throw ApiError.BadRequest($"Invalid type for '{where}content': expected a string or an array of text parts.", where + "content", "invalid_type");
        var text = new System.Text.StringBuilder();
        int j = 0;
        foreach (var part in c.EnumerateArray())
        {
            var p = new JsonFields(part.ValueKind == JsonValueKind.Object ? part
                : throw ApiError.BadRequest($"'{where}content[{j}]' must be an object.", $"{where}content[{j}]", "invalid_type"), $"{where}content[{j}].");
            var type = p.RequiredString("type");
            if (type != "text") throw ApiError.BadRequest($"Content part type '{type}' is not supported by this model; only 'text'.", $"{where}content[{j}].type", "unsupported_content");
            text.Append(p.RequiredString("text"));
            j++;
        }
        return text.ToString();
    }

    static IReadOnlyList<ToolCall>? ToolCalls(JsonFields f, string where)
    {
        if (f.Array("tool_calls") is not { } calls) return null;
        var list = new List<ToolCall>();
        int j = 0;
        foreach (var call in calls.EnumerateArray())
        {
            var c = new JsonFields(call, $"{where}tool_calls[{j}].");
            var fn = new JsonFields(c.Object("function") ?? throw ApiError.BadRequest($"'{where}tool_calls[{j}].function' is required.", $"{where}tool_calls[{j}].function", "missing_required_parameter"), $"{where}tool_calls[{j}].function.");
            list.Add(new ToolCall(fn.RequiredString("name"), fn.String("arguments") ?? "{}", c.String("id")));
            j++;
        }
        return list;
    }

    static IReadOnlyList<ToolDefinition> Tools(JsonFields f)
    {
        if (f.Array("tools") is not { } tools) return [];
        var list = new List<ToolDefinition>();
        int j = 0;
        foreach (var tool in tools.EnumerateArray())
        {
            var t = new JsonFields(tool, $"tools[{j}].");
            var type = t.String("type") ?? "function";
            if (type != "function") throw ApiError.BadRequest($"'tools[{j}].type' must be 'function'.", $"tools[{j}].type", "invalid_value");
            var fn = new JsonFields(t.Object("function") ?? throw ApiError.BadRequest($"'tools[{j}].function' is required.", $"tools[{j}].function", "missing_required_parameter"), $"tools[{j}].function.");
            list.Add(new ToolDefinition(fn.RequiredString("name"), fn.String("description"), fn.Object("parameters")?.Clone()));
            j++;
        }
        return list;
    }
}
