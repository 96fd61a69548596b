using System.Text;
using Avocado.Serving.Billing;
using Avocado.Serving.Gateway.Backends;
using Avocado.Serving.Gateway.Protocol;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Avocado.Serving.Gateway;

/// <summary>One metered generation request: authenticate → validate → prepare (count the prompt) → reserve budget
/// and rate limit atomically → generate (streamed or not) → settle exactly what was generated. Settlement happens in
/// a finally block with its own cancellation, so client disconnects and backend errors are billed too; a process
/// crash leaves an open reservation with progress checkpoints that start-up recovery settles.</summary>
public sealed class CompletionHandler(IBillingStore billing, ApiKeyCache keys, ModelRegistry models, GatewayOptions options, TimeProvider time,
    ILogger<CompletionHandler> log)
{
    static readonly byte[] DataPrefix = "data: "u8.ToArray();
    static readonly byte[] EventEnd = "\n\n"u8.ToArray();
    static readonly byte[] Done = "data: [DONE]\n\n"u8.ToArray();

    public async Task HandleAsync(HttpContext http, bool chat)
    {
        var ct = http.RequestAborted;
        var key = http.ApiKey();
        using var body = await http.Request.ReadJsonAsync(options.MaxRequestBytes, ct);
        var request = chat ? RequestParser.ParseChat(body.RootElement) : RequestParser.ParseCompletion(body.RootElement);
        if (!models.TryGet(request.Model, out var backend)) throw ApiError.ModelNotFound(request.Model);
        if (!key.Allows(request.Model)) throw ApiError.Forbidden($"This API key may not use the model '{request.Model}'.");

        var prepared = await backend.PrepareAsync(request, chat, ct);
        // Time-ordered ids: each reservation and usage row lands at the end of its primary-key index, not on a random page.
        var requestId = (chat ? "chatcmpl-" : "cmpl-") + Guid.CreateVersion7().ToString("N");
        http.Response.Headers[HttpExtensions.RequestIdHeader] = requestId;
        var reserve = await billing.ReserveAsync(new ReservationRequest(requestId, key.Id, request.Model,
            prepared.PromptTokens, (long)prepared.MaxCompletionTokens * request.N) { InstanceId = options.InstanceId }, ct);
        RateLimitHeaders.Apply(http.Response, reserve.Rate);
        if (!reserve.Succeeded)
        {
            // The reservation read the key afresh and found it revoked or expired: say which, as authentication would.
            if (reserve.Status == ReserveStatus.KeyInvalid && (await ApiKeyAuth.AuthenticateAsync(http, keys, fresh: true)).Denial is { } why) throw why;
            throw Denied(reserve, request.Model);
        }

        var usage = new Counters();
        try
        {
            var writer = new ResponseWriter(requestId, request.Model, time.GetUtcNow().ToUnixTimeSeconds(), chat);
            if (request.Stream) await StreamAsync(http, request, prepared, writer, usage, requestId, ct);
            else await CompleteAsync(http, request, prepared, writer, usage, requestId, ct);
        }
        finally
        {
            if (!usage.Settled) await SettleAsync(requestId, prepared, usage);
        }
    }

    static ApiError Denied(ReserveResult r, string model) => r.Status switch
    {
        ReserveStatus.RateLimited => ApiError.RateLimited(
            $"Rate limit reached for {(r.Rate?.LimitedBy == RateLimitKind.Tokens ? "tokens" : "requests")} per minute on this key. Retry after {Math.Ceiling(r.RetryAfter.TotalSeconds)} s.",
            Math.Max(r.RetryAfter.TotalSeconds, 0.001)),
        ReserveStatus.InsufficientCredit => ApiError.InsufficientQuota(
            $"You exceeded your current quota: this request may cost up to {Money.Format(r.Reservation?.Amount ?? 0)} but {Money.Format(Math.Max(0, r.Balance?.Available ?? 0))} is available. Add credit to continue."),
        ReserveStatus.ModelNotAllowed => ApiError.Forbidden($"This API key may not use the model '{model}'."),
        ReserveStatus.UnknownModel => new ApiError(404, $"The model '{model}' has no price configured, so it cannot be sold yet.", "invalid_request_error", "model", "model_not_priced"),
        ReserveStatus.KeyInvalid => ApiError.Unauthorized("This API key is no longer valid."),
        _ => ApiError.Internal($"The request could not be reserved ({r.Status})."),
    };

    sealed class Counters
    {
        public GenerationTally Tally { get; } = new();
        public int Deltas, SinceCheckpoint;
        public bool Settled;
    }

    async Task StreamAsync(HttpContext http, GenerationParameters request, PreparedGeneration prepared, ResponseWriter writer,
        Counters usage, string requestId, CancellationToken ct)
    {
        http.Response.ContentType = "text/event-stream";
        http.Response.Headers.CacheControl = "no-cache";
        http.Response.Headers["x-accel-buffering"] = "no";
        await http.Response.StartAsync(ct);
        var output = http.Response.Body;
        try
        {
            for (int choice = 0; choice < request.N; choice++)
            {
                var first = true;
                await foreach (var delta in prepared.RunAsync(choice, usage.Tally, ct))
                {
                    if (delta.Finish is { } finish)
                    {
                        if (finish != "cancelled") await Event(output, writer.Chunk(choice, null, first, finish), ct);
                        break;
                    }
                    await Event(output, writer.Chunk(choice, delta, first, null), ct);
                    first = false;
                    usage.Deltas++;
                    if (++usage.SinceCheckpoint >= options.CheckpointEveryTokens) await CheckpointAsync(requestId, usage);
                }
            }
            // Settle before the last bytes: a client that has read [DONE] can already see its usage and balance.
            await SettleAsync(requestId, prepared, usage);
            if (request.IncludeUsage) await Event(output, writer.UsageChunk(Usage(prepared, usage)), ct);
            await output.WriteAsync(Done, ct);
        }
        catch (ApiError e) when (!ct.IsCancellationRequested)
        {
            // Headers are gone: report the failure in-band, as OpenAI clients expect (a chunk with "error").
            await Event(output, e.ToJsonBytes(), CancellationToken.None);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Client left: generation has stopped; settlement bills what was generated.
        }
    }

    async Task CompleteAsync(HttpContext http, GenerationParameters request, PreparedGeneration prepared, ResponseWriter writer,
        Counters usage, string requestId, CancellationToken ct)
    {
        var choices = new List<ChoiceResult>();
        for (int choice = 0; choice < request.N; choice++)
        {
            var result = new ChoiceResult();
            await foreach (var delta in prepared.RunAsync(choice, usage.Tally, ct))
            {
                if (delta.Finish is { } finish) { result.Finish = finish; break; }
                result.Content.Append(delta.Content);
                result.Reasoning.Append(delta.Reasoning);
                if (delta.ToolCall is { } call) result.ToolCalls.Add(call);
                if (delta.Logprobs is { } lp) result.Logprobs.AddRange(lp);
                usage.Deltas++;
                    if (++usage.SinceCheckpoint >= options.CheckpointEveryTokens) await CheckpointAsync(requestId, usage);
            }
            choices.Add(result);
        }
        ct.ThrowIfCancellationRequested();
        await SettleAsync(requestId, prepared, usage); // before answering: the reported usage is already billed
        http.Response.ContentType = "application/json";
        await http.Response.Body.WriteAsync(writer.Complete(choices, Usage(prepared, usage), request.Logprobs), ct);
    }

    static UsageCounts Usage(PreparedGeneration prepared, Counters usage) =>
        new(usage.Tally.PromptTokens ?? prepared.PromptTokens, usage.Tally.CompletionTokens, usage.Tally.ReasoningTokens);

    /// <summary>Records progress on the open reservation for crash recovery: streamed deltas, about one per token
    /// (markers and a stop string's tail produce none).</summary>
    async Task CheckpointAsync(string requestId, Counters usage)
    {
        var progress = usage.Deltas;
        usage.SinceCheckpoint = 0;
        try { await billing.CheckpointAsync(requestId, progress, 0, CancellationToken.None); }
        catch (Exception e) { log.LogWarning(e, "checkpoint of {RequestId} failed; recovery would bill the previous one", requestId); }
    }

    /// <summary>Bills exactly the tokens generated, whatever ended the request. A choice interrupted before its final
    /// delta is counted by the engine's completion event, which always arrives.</summary>
    async Task SettleAsync(string requestId, PreparedGeneration prepared, Counters usage)
    {
        usage.Settled = true;
        var counts = Usage(prepared, usage);
        // Settlement is idempotent, so a transient database error is retried; if it still fails the reservation stays
        // open with its checkpoints and recovery settles it.
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                var result = counts.CompletionTokens == 0 && counts.PromptTokens == 0
                    ? await billing.ReleaseAsync(requestId, CancellationToken.None)
                    : await billing.SettleAsync(requestId, new TokenUsage(counts.PromptTokens, counts.CompletionTokens,
                        Math.Min(counts.ReasoningTokens, counts.CompletionTokens)), CancellationToken.None);
                log.LogDebug("{RequestId}: {Status}, charged {Charged}", requestId, result.Status, Money.Format(result.Charged));
                return;
            }
            catch (Exception e) when (attempt < 3)
            {
                log.LogWarning(e, "settling {RequestId} failed (attempt {Attempt}); retrying", requestId, attempt);
                await Task.Delay(TimeSpan.FromMilliseconds(50 * attempt), time);
            }
            catch (Exception e)
            {
                log.LogError(e, "settling {RequestId} failed; recovery will settle it", requestId);
                return;
            }
        }
    }

    static async Task Event(Stream output, byte[] json, CancellationToken ct)
    {
        // One write per event keeps chunks whole on the wire.
        var frame = new byte[DataPrefix.Length + json.Length + EventEnd.Length];
        DataPrefix.CopyTo(frame, 0);
        json.CopyTo(frame, DataPrefix.Length);
        EventEnd.CopyTo(frame, DataPrefix.Length + json.Length);
        await output.WriteAsync(frame, ct);
        await output.FlushAsync(ct);
    }
}
