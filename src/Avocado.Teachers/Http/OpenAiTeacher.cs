using System.Net.Http.Headers;
using System.Text;

namespace Avocado.Teachers;

/// <summary>
/// A teacher behind an OpenAI-compatible <c>/v1/chat/completions</c> endpoint (vLLM, Ollama, llama.cpp server, the
/// Avocado gateway). Non-streaming. Each request: wait for a concurrency slot, ask the circuit breaker, POST with a
/// per-attempt timeout; transient failures (408, 429, 5xx, connection errors, timeouts, unreadable bodies) are retried
/// with exponential backoff and full jitter, at least as long as <c>retry-after</c>/<c>retry-after-ms</c> ask. Requests
/// that cannot be served end in <see cref="TeacherUnavailableException"/> with the last errors — never dropped.
/// Time and randomness are injectable for tests.
/// </summary>
public sealed class OpenAiTeacher : ITeacher, ITeacherDiagnostics, IDisposable
{
    readonly OpenAiTeacherOptions options;
    readonly HttpClient http;
    readonly bool ownsHttp;
    readonly TimeProvider time;
    readonly Random random;
    readonly SemaphoreSlim slots;
    readonly CircuitBreaker breaker;
    readonly TeacherStatsRecorder stats;
    readonly Uri completionsUri;
    readonly string? apiKey;

    public string Name { get; }
    public string Family { get; }
    public string Revision { get; }
    public string License { get; }

    /// <param name="http">Used as is (its own Timeout should be infinite; the per-attempt timeout is applied here); null
    /// creates one owned by this teacher.</param>
    /// <param name="time">Clock, delays and timeouts; null is the system's.</param>
    /// <param name="random">Backoff jitter; null is <see cref="Random.Shared"/>.</param>
    public OpenAiTeacher(OpenAiTeacherOptions options, HttpClient? http = null, TimeProvider? time = null, Random? random = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        this.options = options with { };
        Name = options.Name;
        Family = TeacherFamilies.Normalize(options.Family);
        Revision = string.IsNullOrEmpty(options.Revision) ? options.Model : options.Revision;
        License = options.License ?? TeacherFamilies.DefaultLicense(Family);
        apiKey = options.ApiKey ?? (options.ApiKeyEnvironmentVariable is { } env ? Environment.GetEnvironmentVariable(env) : null);
        if (options.ApiKeyEnvironmentVariable is { } v && apiKey is null)
            throw new ArgumentException($"teacher '{Name}': the environment variable {v} (its API key) is not set");
        var baseUri = options.Endpoint.AbsoluteUri.EndsWith('/') ? options.Endpoint : new Uri(options.Endpoint.AbsoluteUri + "/");
        completionsUri = new Uri(baseUri, "chat/completions");
        this.time = time ?? TimeProvider.System;
        this.random = random ?? Random.Shared;
        ownsHttp = http is null;
        this.http = http ?? new HttpClient(new SocketsHttpHandler
        {
            MaxConnectionsPerServer = options.MaxConcurrency,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            ConnectTimeout = TimeSpan.FromSeconds(30),
        }) { Timeout = Timeout.InfiniteTimeSpan };
        slots = new SemaphoreSlim(options.MaxConcurrency, options.MaxConcurrency);
        breaker = new CircuitBreaker(options.BreakerThreshold, options.BreakDuration, this.time);
        stats = new TeacherStatsRecorder(Name);
    }

    public TeacherStats Stats => stats.Snapshot(breaker.Current);

    /// <summary>The settings this teacher runs with (a copy; the API key is not included).</summary>
    public OpenAiTeacherOptions Options => options with { ApiKey = null };

    public string RenderPrompt(TeacherRequest request) => TeacherPrompt.CanonicalJson(request);

    public async Task<TeacherReply> GenerateAsync(TeacherRequest request, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        request.Validate();
        var started = time.GetTimestamp();
        var promptHash = TeacherPrompt.Sha256Hex(RenderPrompt(request));
        var body = ChatCompletionProtocol.WriteRequest(options.Model, request, options.ExtraBody);
        var failures = new List<TeacherFailure>();
        stats.Request();
        for (int attempt = 1; ; attempt++)
        {
            Outcome outcome;
            CircuitBreaker.Admission admission;
            try
            {
                await slots.WaitAsync(ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                stats.Cancelled();
                throw;
            }
            try
            {
                admission = breaker.TryEnter(out var retryAt);
                if (admission == CircuitBreaker.Admission.Refused)
                {
                    // Refused before any call: "rejected"; refused on a retry: "failed" like any request whose attempts failed.
                    if (attempt == 1) stats.Rejected();
                    throw Unavailable($"its circuit is open after {breaker.Current.ConsecutiveFailures} consecutive failed attempts; " +
                        $"the next probe is allowed at {retryAt:O}", failures, attempt - 1, retryAt, rejected: attempt == 1);
                }
                stats.Attempt();
                try
                {
                    outcome = await AttemptAsync(body, ct).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (ct.IsCancellationRequested)
                {
                    breaker.Neutral(admission);
                    stats.Cancelled();
                    throw;
                }
            }
            finally
            {
                slots.Release();
            }

            if (outcome.Completion is { } completion)
            {
                TeacherReply reply;
                try
                {
                    reply = Build(completion, request, promptHash, time.GetElapsedTime(started));
                }
                catch (TeacherRequestException)
                {
                    breaker.Neutral(admission);
                    stats.Failed();
                    throw;
                }
                breaker.Success();
                stats.Succeeded();
                return reply;
            }
            if (outcome.Rejection is { } rejection)
            {
                breaker.Neutral(admission);
                stats.Failed();
                throw rejection;
            }

            var failure = outcome.Failure!;
            failures.Add(failure);
            stats.FailedAttempt(failure);
            breaker.Failure(admission);
            if (attempt >= options.MaxAttempts)
                throw Unavailable($"all {attempt} attempts failed", failures, attempt, breaker.Current.OpenUntil);

            var delay = Backoff.Delay(attempt, options.BaseDelay, options.MaxDelay, outcome.RetryAfter, options.MaxRetryAfter, random);
            stats.Retry();
            options.OnRetry?.Invoke(new TeacherRetry(Name, attempt, failure, delay, outcome.RetryAfter));
            try
            {
                await Task.Delay(delay, time, ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                stats.Cancelled();
                throw;
            }
        }
    }

    TeacherUnavailableException Unavailable(string why, List<TeacherFailure> failures, int attempts, DateTimeOffset? retryAt, bool rejected = false)
    {
        if (!rejected) stats.Failed();
        var recent = failures.Count > 0 ? failures.TakeLast(10).ToArray() : stats.LastErrors(10);
        var message = new StringBuilder($"teacher '{Name}' ({completionsUri}) is unavailable: {why}.");
        if (recent.Count > 0) message.Append(" Last errors: ").Append(string.Join("; ", recent));
        message.Append(". Check that the server is up and serves model '").Append(options.Model)
            .Append("', or lower MaxConcurrency if it is overloaded.");
        return new TeacherUnavailableException(Name, message.ToString(), recent, attempts, retryAt, Stats);
    }

    sealed record Outcome
    {
        public EndpointCompletion? Completion { get; init; }
        public TeacherFailure? Failure { get; init; }
        public TimeSpan? RetryAfter { get; init; }
        public TeacherRequestException? Rejection { get; init; }
    }

    async Task<Outcome> AttemptAsync(byte[] body, CancellationToken ct)
    {
        using var timeout = new CancellationTokenSource(options.RequestTimeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, timeout.Token);
        try
        {
            using var message = new HttpRequestMessage(HttpMethod.Post, completionsUri)
            {
                Content = new ByteArrayContent(body) { Headers = { ContentType = new MediaTypeHeaderValue("application/json") } },
            };
            if (apiKey is not null) message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
            using var response = await http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, linked.Token).ConfigureAwait(false);
            int status = (int)response.StatusCode;
            var bytes = await response.Content.ReadAsByteArrayAsync(linked.Token).ConfigureAwait(false);
            if (response.IsSuccessStatusCode)
            {
                try
                {
                    return new Outcome { Completion = ChatCompletionProtocol.ReadResponse(bytes) };
                }
                catch (FormatException e)
                {
                    return Failed("bad_response", status, $"HTTP {status} with an unreadable body: {e.Message}");
                }
            }
            var text = Excerpt(bytes);
            if (status is 408 or 429 or >= 500)
                return Failed($"http_{status}", status, $"HTTP {status}: {text}") with { RetryAfter = Backoff.RetryAfter(response.Headers, time.GetUtcNow()) };
            var hint = status switch
            {
                401 or 403 => " (set ApiKey or ApiKeyEnvironmentVariable to a key the server accepts)",
                404 => $" (is {completionsUri} right, and is model '{options.Model}' served there?)",
                _ => "",
            };
            return new Outcome { Rejection = new TeacherRequestException(Name, $"teacher '{Name}' rejected the request: HTTP {status}{hint}: {text}", status, text) };
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            // Ours, or the injected HttpClient's own Timeout.
            return Failed("timeout", null, timeout.IsCancellationRequested
                ? $"no complete response within {options.RequestTimeout.TotalSeconds:0.###} s"
                : "the HttpClient timed out (its Timeout is shorter than RequestTimeout)");
        }
        catch (HttpRequestException e)
        {
            return Failed("connection", null, Describe(e));
        }
        catch (IOException e)
        {
            return Failed("connection", null, Describe(e));
        }
    }

    Outcome Failed(string kind, int? status, string message) =>
        new() { Failure = new TeacherFailure(time.GetUtcNow(), kind, status, message) };

    static string Describe(Exception e) => e.InnerException is { } inner && !e.Message.Contains(inner.Message, StringComparison.Ordinal)
        ? $"{e.Message} ({inner.Message})" : e.Message;

    static string Excerpt(byte[] body)
    {
        var text = Encoding.UTF8.GetString(body, 0, Math.Min(body.Length, 2000)).ReplaceLineEndings(" ").Trim();
        return text.Length == 0 ? "(empty body)" : text;
    }

    TeacherReply Build(EndpointCompletion c, TeacherRequest request, string promptHash, TimeSpan latency)
    {
        var parsed = EndpointReplyParser.Parse(c.Content, c.ReasoningField, c.ToolCalls, Family);
        IReadOnlyList<TokenLogprob>? logprobs = null;
        string text = c.Content ?? "";
        if (request.TopLogprobs is { } top)
        {
            if (c.Logprobs is null)
            {
                if (c.CompletionTokens is not 0)
                    throw new TeacherRequestException(Name, $"teacher '{Name}' was asked for log-probabilities but returned none: the server " +
                        "does not support them (use vLLM, llama.cpp or a recent Ollama), or ask without TopLogprobs", null, null);
            }
            else
            {
                var spans = TokenSpans.FromBytes(c.Logprobs.Select(t => t.Bytes));
                text = spans.Text;
                logprobs = c.Logprobs.Select((t, i) => new TokenLogprob(t.Token, t.Logprob, spans.Spans[i].Offset, spans.Spans[i].Length,
                    t.Top.Take(top).ToArray())).ToArray();
            }
        }
        var finish = c.FinishReason switch
        {
            "length" => TeacherFinishReason.Length,
            "tool_calls" or "function_call" => TeacherFinishReason.ToolCalls,
            "stop" or null => parsed.ToolCalls.Count > 0 ? TeacherFinishReason.ToolCalls : TeacherFinishReason.Stop,
            _ => TeacherFinishReason.Other,
        };
        return new TeacherReply
        {
            Reasoning = parsed.Reasoning,
            Content = parsed.Content,
            ToolCalls = parsed.ToolCalls,
            FinishReason = finish,
            PromptTokens = c.PromptTokens ?? 0,
            CompletionTokens = c.CompletionTokens ?? logprobs?.Count ?? 0,
            Text = text,
            Logprobs = logprobs,
            Latency = latency,
            PromptHash = promptHash,
            Teacher = Name,
            Revision = Revision,
            License = License,
        };
    }

    public void Dispose()
    {
        if (ownsHttp) http.Dispose();
        slots.Dispose();
    }
}
