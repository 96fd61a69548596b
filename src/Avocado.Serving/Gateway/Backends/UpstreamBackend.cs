using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Avocado.Serving.Gateway.Protocol;
using Avocado.Text.Chat;

namespace Avocado.Serving.Gateway.Backends;

/// <summary>An OpenAI-compatible endpoint (vLLM, Ollama, llama.cpp server) proxied with the same metering as
/// in-process models. Upstream calls always stream with <c>include_usage</c>, so a client that leaves mid-answer
/// cancels the upstream request and is billed what was generated.</summary>
public sealed class UpstreamBackend(string name, Uri baseUrl, string upstreamModel, HttpClient http, int contextLength = 131072,
    string? apiKey = null) : IModelBackend
{
    readonly string name = name;
    readonly string? apiKey = apiKey;
    readonly Uri baseUrl = baseUrl;
    readonly string upstreamModel = upstreamModel;
    readonly HttpClient http = http;

    public string Name => name;
    public int ContextLength => contextLength;
    public string OwnedBy => "upstream";

    /// <summary>Parses <c>URL</c> or <c>URL#MODEL</c> (the upstream's own model name, default: the served name). The
    /// upstream's API key, if it needs one, comes from <paramref name="apiKey"/> (the CLI reads
    /// AVOCADO_UPSTREAM_KEY_NAME or AVOCADO_UPSTREAM_KEY), never from the command line where it would show in ps.</summary>
    public static UpstreamBackend Create(string name, string spec, HttpClient http, string? apiKey = null)
    {
        var hash = spec.IndexOf('#');
        var url = hash >= 0 ? spec[..hash] : spec;
        if (!Uri.TryCreate(url.TrimEnd('/') + "/", UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            throw new ArgumentException($"--upstream {name}={spec}: expected an http(s) URL such as http://127.0.0.1:8000/v1");
        return new UpstreamBackend(name, uri, hash >= 0 ? spec[(hash + 1)..] : name, http, apiKey: apiKey);
    }

    public Task<PreparedGeneration> PrepareAsync(GenerationParameters request, bool chat, CancellationToken ct)
    {
        // The upstream counts the prompt; until it answers, reserve for an upper bound (a token is at least one byte).
        var bytes = chat ? request.Messages.Sum(m => Encoding.UTF8.GetByteCount(m.Content ?? "") + Encoding.UTF8.GetByteCount(m.Reasoning ?? "") + 16)
            : Encoding.UTF8.GetByteCount(request.Prompt ?? "") + 4;
        var max = request.MaxTokens ?? Math.Min(1024, ContextLength);
        return Task.FromResult<PreparedGeneration>(new Prepared(this, request, chat, Math.Min(bytes, ContextLength), max));
    }

    sealed class Prepared(UpstreamBackend b, GenerationParameters request, bool chat, int promptEstimate, int max)
        : PreparedGeneration(promptEstimate, max)
    {
        public override async IAsyncEnumerable<GenerationDelta> RunAsync(int index, GenerationTally tally, [EnumeratorCancellation] CancellationToken ct)
        {
            using var message = new HttpRequestMessage(HttpMethod.Post, new Uri(b.baseUrl, chat ? "chat/completions" : "completions"))
            {
                Content = UpstreamBody(index),
            };
            message.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
            if (b.apiKey is not null) message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", b.apiKey);
            HttpResponseMessage response;
            try { response = await b.http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, ct); }
            catch (HttpRequestException e) { throw ApiError.Upstream($"Upstream '{b.name}' is unreachable: {e.Message}"); }
            using var _ = response;
            if (!response.IsSuccessStatusCode)
            {
                var text = await response.Content.ReadAsStringAsync(ct);
                var status = (int)response.StatusCode;
                throw status is >= 400 and < 500 and not 429
                    ? new ApiError(status, $"Upstream '{b.name}' refused the request: {Truncate(text)}", "invalid_request_error", null, "upstream_rejected")
                    : ApiError.Upstream($"Upstream '{b.name}' failed with HTTP {status}: {Truncate(text)}");
            }

            int chunks = 0, reasoningChunks = 0;
            int? usageCompletion = null, usageReasoning = null;
            string? finish = null;
            var cancelled = false;
            try
            {
                await using var stream = await response.Content.ReadAsStreamAsync(ct);
                using var reader = new SseLineReader(stream);
                while (true)
                {
                    ReadOnlyMemory<byte>? next;
                    try { next = await reader.ReadLineAsync(ct); }
                    catch (OperationCanceledException) { cancelled = true; break; }
                    catch (InvalidDataException e) { throw ApiError.Upstream($"Upstream '{b.name}' sent a malformed event stream: {e.Message}"); }
                    if (next is not { } line) break;
                    if (!line.Span.StartsWith("data:"u8)) continue;
                    var data = line[5..][Ascii.Trim(line.Span[5..])];
                    if (data.Span.SequenceEqual("[DONE]"u8)) break;
                    using var chunk = JsonDocument.Parse(data); // read before the next line overwrites the buffer
                    var root = chunk.RootElement;
                    if (root.TryGetProperty("error", out var err))
                        throw ApiError.Upstream($"Upstream '{b.name}' failed mid-stream: {err.GetRawText()}");
                    if (root.TryGetProperty("usage", out var usage) && usage.ValueKind == JsonValueKind.Object)
                    {
                        tally.PromptTokens = usage.GetProperty("prompt_tokens").GetInt32();
                        usageCompletion = usage.GetProperty("completion_tokens").GetInt32();
                        if (usage.TryGetProperty("completion_tokens_details", out var det) && det.ValueKind == JsonValueKind.Object
                            && det.TryGetProperty("reasoning_tokens", out var rt) && rt.ValueKind == JsonValueKind.Number)
                            usageReasoning = rt.GetInt32();
                    }
                    if (!root.TryGetProperty("choices", out var choices) || choices.GetArrayLength() == 0) continue;
                    var choice = choices[0];
                    if (choice.TryGetProperty("finish_reason", out var fr) && fr.ValueKind == JsonValueKind.String) finish = fr.GetString();
                    var delta = chat ? choice.GetProperty("delta") : choice;
                    foreach (var d in Deltas(delta, chat))
                    {
                        chunks++;
                        if (d.Reasoning is not null) reasoningChunks++;
                        yield return d;
                    }
                }
                yield return new GenerationDelta { Finish = cancelled ? "cancelled" : finish ?? "stop" };
            }
            finally
            {
                // Without the upstream's usage (the client left first), bill one token per streamed chunk: vLLM,
                // Ollama and llama.cpp server send one token per chunk.
                tally.AddCompletion(usageCompletion ?? chunks);
                tally.AddReasoning(usageReasoning ?? reasoningChunks);
            }
        }

        /// <summary>The client's request as the upstream gets it: every field passed through except those the gateway
        /// decides (model name, streaming with usage, one choice per call, the token limit, the per-choice seed).</summary>
        ReadOnlyMemoryContent UpstreamBody(int index)
        {
            var buffer = new System.Buffers.ArrayBufferWriter<byte>(1024);
            using (var w = new Utf8JsonWriter(buffer))
            {
                w.WriteStartObject();
                foreach (var property in request.Raw.EnumerateObject())
                    if (!Decided.Contains(property.Name) && !(property.NameEquals("seed") && request.Seed is not null)) property.WriteTo(w);
                w.WriteString("model", b.upstreamModel);
                w.WriteBoolean("stream", true);
                w.WriteStartObject("stream_options");
                w.WriteBoolean("include_usage", true);
                w.WriteEndObject();
                w.WriteNumber("n", 1);
                w.WriteNumber(chat ? "max_completion_tokens" : "max_tokens", MaxCompletionTokens);
                if (request.Seed is { } seed) w.WriteNumber("seed", seed + index);
                w.WriteEndObject();
            }
            var content = new ReadOnlyMemoryContent(buffer.WrittenMemory);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
            return content;
        }

        static readonly HashSet<string> Decided = new(StringComparer.Ordinal)
            { "model", "stream", "stream_options", "n", "max_tokens", "max_completion_tokens" };

        static IEnumerable<GenerationDelta> Deltas(JsonElement delta, bool chat)
        {
            string? Str(string field) => delta.TryGetProperty(field, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
            if (!chat)
            {
                if (Str("text") is { Length: > 0 } t) yield return new GenerationDelta { Content = t };
                yield break;
            }
            if ((Str("reasoning_content") ?? Str("reasoning")) is { Length: > 0 } r) yield return new GenerationDelta { Reasoning = r };
            if (Str("content") is { Length: > 0 } c) yield return new GenerationDelta { Content = c };
            if (delta.TryGetProperty("tool_calls", out var calls) && calls.ValueKind == JsonValueKind.Array)
                foreach (var call in calls.EnumerateArray())
                    if (call.TryGetProperty("function", out var fn))
                        yield return new GenerationDelta
                        {
                            ToolCall = new ToolCall(
                                fn.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString()! : "",
                                fn.TryGetProperty("arguments", out var a) && a.ValueKind == JsonValueKind.String ? a.GetString()! : "",
                                call.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.String ? id.GetString() : null),
                        };
        }

        static string Truncate(string s) => s.Length <= 500 ? s : s[..500] + "…";
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
