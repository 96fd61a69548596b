using System.Runtime.CompilerServices;
using System.Text;
using System.Threading.Channels;
using Avocado.Models;
using Avocado.Models.Generation;
using Avocado.Inference;
using Avocado.Serving.Gateway.Backends;
using Avocado.Serving.Gateway.Protocol;
using Avocado.Text.Chat;
using Avocado.Text.Tokenizers;

namespace Avocado.Cli.Serving;

/// <summary>An in-process checkpoint: the family's chat format renders the prompt, its tokenizer counts it, the
/// engine generates, and the streaming reply parser splits reasoning, answer and tool calls.</summary>
public sealed class LocalBackend : IModelBackend
{
    readonly CausalLM model;
    readonly InferenceEngine engine;
    readonly ITokenizer tokenizer;
    readonly IChatFormat format;
    readonly int defaultMaxTokens;
    readonly long[] chatStopIds;

    public string Name { get; }
    public int ContextLength { get; }
    public string OwnedBy => "avocado";

    LocalBackend(string name, CausalLM model, ITokenizer tokenizer, EngineOptions engineOptions, int defaultMaxTokens)
    {
        Name = name;
        this.model = model;
        this.tokenizer = tokenizer;
        format = ChatFormats.For(model.Config.Family);
        engine = new InferenceEngine(model, engineOptions);
        ContextLength = Math.Min(engineOptions.MaxContext, model.Config.MaxPositionEmbeddings > 0 ? model.Config.MaxPositionEmbeddings : int.MaxValue);
        this.defaultMaxTokens = defaultMaxTokens;
        chatStopIds = format.StopTokens.Select(tokenizer.TokenToId).OfType<int>().Select(i => (long)i)
            .Concat(tokenizer.EosIds.Select(i => (long)i)).Distinct().ToArray();
    }

    /// <summary>Loads a checkpoint directory (config.json, safetensors, tokenizer.json).</summary>
    public static LocalBackend Load(string name, string dir, EngineOptions? engineOptions = null, int defaultMaxTokens = 1024)
    {
        var tokenizer = TokenizerLoader.Load(dir);
        var model = ModelLoader.Load(dir);
        return new LocalBackend(name, model, tokenizer, engineOptions ?? new EngineOptions(), defaultMaxTokens);
    }

    public Task<PreparedGeneration> PrepareAsync(GenerationParameters request, bool chat, CancellationToken ct)
    {
        IReadOnlyList<int> prompt;
        if (chat)
        {
            string text;
            try
            {
                text = format.Render(request.Messages, new ChatOptions
                {
                    AddGenerationPrompt = true,
                    Effort = request.ReasoningEffort ?? ReasoningEffort.Medium,
                    Tools = request.Tools.Count > 0 ? request.Tools : null,
                });
            }
            catch (ChatFormatException e) { throw ApiError.BadRequest(e.Message, "messages", "invalid_conversation"); }
            prompt = tokenizer.Encode(text, parseSpecial: true, addSpecialTokens: false);
        }
        else prompt = tokenizer.Encode(request.Prompt!, parseSpecial: false, addSpecialTokens: true);

        if (prompt.Count == 0) throw ApiError.BadRequest("The prompt is empty.", chat ? "messages" : "prompt", "empty_prompt");
        var room = ContextLength - prompt.Count;
        if (room < 1)
            throw ApiError.BadRequest($"This model's maximum context length is {ContextLength} tokens; the prompt has {prompt.Count}.", chat ? "messages" : "prompt", "context_length_exceeded");
        var max = request.MaxTokens ?? Math.Min(room, defaultMaxTokens);
        if (max > room)
            throw ApiError.BadRequest($"This model's maximum context length is {ContextLength} tokens; the prompt has {prompt.Count}, so at most {room} completion tokens fit, but {max} were requested.", "max_tokens", "context_length_exceeded");
        return Task.FromResult<PreparedGeneration>(new Prepared(this, request, chat, prompt.Select(i => (long)i).ToArray(), max));
    }

    sealed class Prepared(LocalBackend backend, GenerationParameters request, bool chat, long[] promptIds, int max)
        : PreparedGeneration(promptIds.Length, max)
    {
        public override async IAsyncEnumerable<GenerationDelta> RunAsync(int index, GenerationTally tally, [EnumeratorCancellation] CancellationToken ct)
        {
            using var stopByText = CancellationTokenSource.CreateLinkedTokenSource(ct);
            var sampling = new SamplingOptions
            {
                Temperature = request.Temperature ?? 1.0, // OpenAI's default
                TopP = request.TopP ?? 1,
                TopK = request.TopK ?? 0,
                RepetitionPenalty = request.RepetitionPenalty ?? 1,
                Seed = (request.Seed ?? Random.Shared.NextInt64()) + index,
            };
            var stopIds = chat ? backend.chatStopIds : backend.tokenizer.EosIds.Select(i => (long)i).ToArray();
            var submit = backend.engine.Submit(new EngineRequest
            {
                PromptIds = promptIds, MaxNewTokens = MaxCompletionTokens, Sampling = sampling, StopTokens = stopIds,
                TopLogprobs = request.Logprobs ? Math.Max(request.TopLogprobs, 1) : 0, Cancellation = stopByText.Token,
            }, out var events);
            if (submit != SubmitResult.Accepted)
                throw submit == SubmitResult.QueueFull ? ApiError.Overloaded("The model is at capacity; retry shortly.")
                    : ApiError.BadRequest($"The request cannot be served ({submit}).");

            var decoder = backend.tokenizer.CreateDecoder(skipSpecial: !chat);
            var parser = chat ? backend.format.CreateStreamingParser() : null;
            var content = new StringBuilder();
            bool stoppedByText = false, sawToolCall = false;
            GenerationCompleted? done = null;
            try
            {
                await foreach (var e in events.ReadAllAsync(CancellationToken.None))
                {
                    if (e is GenerationCompleted completed) { done = completed; break; }
                    if (e is not TokenGenerated { Token: var token } || stoppedByText) continue;
                    var logprobs = request.Logprobs ? Logprobs(token) : null;
                    if (stopIds.Contains(token.Id)) continue;
                    var text = decoder.Push((int)token.Id);
                    var deltas = parser?.Push(text) ?? (text.Length > 0 ? [new ReplyDelta(ReplyPart.Content, text)] : []);
                    if (deltas.Any(d => d.Part == ReplyPart.Reasoning)) tally.AddReasoning(1);
                    foreach (var d in Convert(deltas, logprobs))
                    {
                        if (d.ToolCall is not null) sawToolCall = true;
                        if (d.Content is { } c && request.Stop.Count > 0)
                        {
                            // Stop strings may straddle deltas: check the accumulated answer and cut at the earliest match.
                            var before = content.Length;
                            content.Append(c);
                            var cut = request.Stop.Select(s => content.ToString().IndexOf(s, Math.Max(0, before - s.Length + 1), StringComparison.Ordinal))
                                .Where(i => i >= 0).DefaultIfEmpty(-1).Min();
                            if (cut >= 0)
                            {
                                if (cut > before) yield return d with { Content = content.ToString(before, cut - before) };
                                stoppedByText = true;
                                await stopByText.CancelAsync();
                                break;
                            }
                        }
                        yield return d;
                    }
                }
                foreach (var d in Convert(parser?.Finish() ?? [new ReplyDelta(ReplyPart.Content, decoder.Flush())], null)) yield return d;
                var finish = stoppedByText ? "stop"
                    : done?.Finish is null or FinishReason.Cancelled ? "cancelled"
                    : sawToolCall ? "tool_calls"
                    : done.Finish == FinishReason.Length ? "length" : "stop";
                yield return new GenerationDelta { Finish = finish, Error = done?.Error };
            }
            finally
            {
                // However the consumer left, wait for the engine's own count: it is what was generated, and billed.
                if (done is null)
                {
                    await stopByText.CancelAsync();
                    await foreach (var e in events.ReadAllAsync(CancellationToken.None))
                        if (e is GenerationCompleted completed) done = completed;
                }
                tally.AddCompletion(done?.CompletionTokens ?? 0);
            }
        }

        IReadOnlyList<TokenLogprob> Logprobs(GeneratedToken t)
        {
            string Text(long id) => backend.tokenizer.Decode([(int)id]);
            var text = Text(t.Id);
            return [new TokenLogprob(text, t.Logprob, Encoding.UTF8.GetBytes(text),
                t.Top.Take(Math.Max(request.TopLogprobs, 0)).Select(a => (Text(a.Id), a.Logprob, Encoding.UTF8.GetBytes(Text(a.Id)))).ToArray())];
        }

        static IEnumerable<GenerationDelta> Convert(IEnumerable<ReplyDelta> deltas, IReadOnlyList<TokenLogprob>? logprobs)
        {
            var first = true;
            foreach (var d in deltas)
            {
                if (d.Text.Length == 0 && d.ToolCall is null) continue;
                var lp = first ? logprobs : null;
                first = false;
                yield return d.Part switch
                {
                    ReplyPart.Reasoning => new GenerationDelta { Reasoning = d.Text, Logprobs = lp },
                    ReplyPart.ToolCall => new GenerationDelta { ToolCall = d.ToolCall, Logprobs = lp },
                    _ => new GenerationDelta { Content = d.Text, Logprobs = lp },
                };
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await engine.DisposeAsync();
        model.Dispose();
    }
}
