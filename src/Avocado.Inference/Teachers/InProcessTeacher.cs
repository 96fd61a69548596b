using System.Diagnostics;
using Avocado.Models;
using Avocado.Models.Generation;
using Avocado.Text.Chat;
using Avocado.Text.Tokenizers;
using TorchSharp;

using Avocado.Teachers;

namespace Avocado.Inference;

/// <summary>Settings of an <see cref="InProcessTeacher"/>.</summary>
public sealed record InProcessTeacherOptions
{
    /// <summary>Default: the checkpoint directory's name.</summary>
    public string? Name { get; init; }
    /// <summary>Default: <see cref="CheckpointFingerprint.Compute"/> of the directory (reads the weights once).</summary>
    public string? Revision { get; init; }
    /// <summary>Default: <see cref="TeacherFamilies.DefaultLicense"/> of the architecture's family.</summary>
    public string? License { get; init; }
    /// <summary>The chat format; default: the tokenizer's family ("qwen3", "gemma3", o200k_harmony → "gpt-oss"), else the architecture's.</summary>
    public string? ChatFamily { get; init; }
    /// <summary>gpt-oss system message's "Current date:"; null is today, as the template does — which changes the
    /// rendered prompt, and so the cache key, every day. Fix it for runs that resume across days.</summary>
    public DateOnly? CurrentDate { get; init; }
    /// <summary>Most requests decoded together.</summary>
    public int MaxBatch { get; init; } = 8;
    public torch.ScalarType DType { get; init; } = torch.ScalarType.Float32;
    /// <summary>Null: CPU.</summary>
    public torch.Device? Device { get; init; }
}

/// <summary>
/// A teacher running in this process: a Hugging Face layout checkpoint (config.json, safetensors, tokenizer.json)
/// loaded with <see cref="ModelLoader"/>, prompts rendered by the family's chat format, generation by the
/// <see cref="InferenceEngine"/> (concurrent requests batched; <see cref="GenerateTogether"/> as a group of its own),
/// replies parsed by the format's parser. Log-probabilities come from the generated tokens; their byte spans from
/// incremental decoding of the reply.
/// </summary>
public sealed class InProcessTeacher : IBatchTeacher, IDisposable
{
    readonly ITokenizer tokenizer;
    readonly IChatFormat format;
    readonly InProcessTeacherOptions options;
    readonly int contextLength;
    readonly long[] stopTokens;
    readonly InferenceEngine engine;
    readonly IDisposable? owned;

    public string Name { get; }
    public string Family { get; }
    public string Revision { get; }
    public string License { get; }
    /// <summary>The chat format's family (usually <see cref="Family"/>).</summary>
    public string ChatFamily => format.Family;
    public ITokenizer Tokenizer => tokenizer;
    public int MaxBatch => options.MaxBatch;
    /// <summary>Forward passes the model has run (one decode step serves every request in the batch).</summary>
    public long ForwardPasses => engine.ForwardPasses;

    /// <summary>Loads a checkpoint directory; the teacher owns (and disposes) the model.</summary>
    /// <exception cref="ArgumentException">The tokenizer and the model or chat format do not fit together (the message says how).</exception>
    public static InProcessTeacher Load(string checkpointDir, InProcessTeacherOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(checkpointDir);
        options ??= new InProcessTeacherOptions();
        var tokenizer = TokenizerLoader.Load(checkpointDir);
        options = options with
        {
            Name = options.Name ?? Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(checkpointDir))),
            Revision = options.Revision ?? CheckpointFingerprint.Compute(checkpointDir),
        };
        var model = ModelLoader.Load(checkpointDir, options.DType, options.Device);
        try
        {
            return Create(model, tokenizer, options, ownsModel: true);
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>A teacher over a model and tokenizer already in memory (e.g. the student being trained, as a scorer).
    /// <see cref="InProcessTeacherOptions.Name"/> and <see cref="InProcessTeacherOptions.Revision"/> are required here.</summary>
    /// <param name="ownsModel">Dispose the model with the teacher.</param>
    public static InProcessTeacher Create(CausalLM model, ITokenizer tokenizer, InProcessTeacherOptions options, bool ownsModel = false)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(tokenizer);
        ArgumentNullException.ThrowIfNull(options);
        if (tokenizer.VocabSize > model.Config.VocabSize)
            throw new ArgumentException($"teacher '{options.Name}': the tokenizer has {tokenizer.VocabSize} tokens but the model's embedding only " +
                $"{model.Config.VocabSize} rows (vocab_size in config.json): they do not belong together");
        int context = model.Config.MaxPositionEmbeddings > 0 ? model.Config.MaxPositionEmbeddings : int.MaxValue;
        return new InProcessTeacher(tokenizer, model.Config.Family, context, options, model, ownsModel ? model : null);
    }

    /// <summary>Also the seam tests use: any <see cref="IGenerationModel"/> (a scripted one) in place of a loaded model.</summary>
    internal InProcessTeacher(ITokenizer tokenizer, string modelFamily, int contextLength, InProcessTeacherOptions options,
        IGenerationModel model, IDisposable? owned = null)
    {
        if (options.MaxBatch < 1) throw new ArgumentException("MaxBatch must be ≥ 1");
        this.tokenizer = tokenizer;
        this.options = options;
        this.contextLength = contextLength;
        this.owned = owned;
        Family = TeacherFamilies.Normalize(modelFamily);
        Name = options.Name ?? throw new ArgumentException("InProcessTeacherOptions.Name is required (Load defaults it to the directory name)");
        Revision = options.Revision ?? throw new ArgumentException($"teacher '{Name}': InProcessTeacherOptions.Revision is required " +
            "(Load defaults it to the checkpoint's fingerprint); it keys the cache, so change it whenever the weights change");
        License = options.License ?? TeacherFamilies.DefaultLicense(Family);
        format = ChatFormats.For(options.ChatFamily ?? FamilyOfTokenizer(tokenizer.Name) ?? Family);
        var formatStops = format.StopTokenIds(tokenizer);
        if (formatStops.Count == 0)
            throw new ArgumentException($"teacher '{Name}': the tokenizer ({tokenizer.Name}) has none of the {format.Family} chat format's stop tokens " +
                $"({string.Join(", ", format.StopTokens)}); set InProcessTeacherOptions.ChatFamily to the format this tokenizer was made for");
        stopTokens = formatStops.Concat(tokenizer.EosIds).Distinct().Select(i => (long)i).ToArray();
        // The queue is unbounded in practice: callers (trace engine, eval) bound what they have in flight themselves.
        engine = new InferenceEngine(model, new EngineOptions { MaxBatch = options.MaxBatch, MaxQueue = int.MaxValue, MaxContext = contextLength });
    }

    static string? FamilyOfTokenizer(string name) => name switch
    {
        "qwen3" or "qwen2" => TeacherFamilies.Qwen3,
        "gemma3" => TeacherFamilies.Gemma3,
        "o200k_harmony" => TeacherFamilies.GptOss,
        _ => null,
    };

    ChatOptions ChatOptionsFor(TeacherRequest request) => new()
    {
        AddGenerationPrompt = true,
        EnableThinking = request.EnableThinking,
        Effort = request.ReasoningEffort ?? ReasoningEffort.Medium,
        Tools = request.Tools is { Count: > 0 } tools ? tools : null,
        CurrentDate = options.CurrentDate,
    };

    /// <summary>The chat text the model is prompted with.</summary>
    /// <exception cref="TeacherRequestException">The conversation is not valid for this family (e.g. Gemma 3 roles not alternating).</exception>
    public string RenderPrompt(TeacherRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        try
        {
            return format.Render(request.Messages, ChatOptionsFor(request));
        }
        catch (ChatFormatException e)
        {
            throw new TeacherRequestException(Name, $"teacher '{Name}' cannot render this conversation in the {format.Family} chat format: {e.Message}", inner: e);
        }
    }

    public async Task<TeacherReply> GenerateAsync(TeacherRequest request, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        var prepared = Prepare(request, ct);
        return await CompleteAsync(prepared, engine.CompleteAsync(prepared.Job), ct).ConfigureAwait(false);
    }

    public IReadOnlyList<Task<TeacherReply>> GenerateTogether(IReadOnlyList<TeacherRequest> requests, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(requests);
        var tasks = new Task<TeacherReply>[requests.Count];
        var group = new List<(int Index, Prepared Prepared)>();
        for (int i = 0; i < requests.Count; i++)
        {
            try
            {
                group.Add((i, Prepare(requests[i] ?? throw new ArgumentNullException(nameof(requests), $"request {i} is null"), ct)));
            }
            catch (Exception e)
            {
                tasks[i] = Task.FromException<TeacherReply>(e);
            }
        }
        var sequences = engine.CompleteTogether([.. group.Select(g => g.Prepared.Job)]);
        for (int j = 0; j < group.Count; j++)
            tasks[group[j].Index] = CompleteAsync(group[j].Prepared, sequences[j], ct);
        return tasks;
    }

    sealed record Prepared(TeacherRequest Request, EngineRequest Job, int PromptTokens, string PromptHash, long Started);

    /// <summary>Validates, renders and tokenizes a request into a queue job (not yet queued).</summary>
    Prepared Prepare(TeacherRequest request, CancellationToken ct)
    {
        request.Validate();
        var started = Stopwatch.GetTimestamp();
        var prompt = RenderPrompt(request);
        var ids = tokenizer.Encode(prompt, parseSpecial: true, addSpecialTokens: false).Select(i => (long)i).ToArray();
        if (ids.Length + request.Sampling.MaxTokens > contextLength)
            throw new TeacherRequestException(Name, $"teacher '{Name}': the prompt has {ids.Length} tokens, so at most " +
                $"{Math.Max(0, contextLength - ids.Length)} new tokens fit in its {contextLength}-token context, but MaxTokens is {request.Sampling.MaxTokens}");
        var sampling = new SamplingOptions
        {
            Temperature = request.Sampling.Temperature,
            TopP = request.Sampling.TopP,
            TopK = request.Sampling.TopK,
            Seed = request.EffectiveSeed ?? request.SampleIndex,
        };
        var job = new EngineRequest
        {
            PromptIds = ids, MaxNewTokens = request.Sampling.MaxTokens, Sampling = sampling, StopTokens = stopTokens,
            TopLogprobs = request.TopLogprobs ?? 0, Cancellation = ct,
        };
        return new Prepared(request, job, ids.Length, TeacherPrompt.Sha256Hex(prompt), started);
    }

    async Task<TeacherReply> CompleteAsync(Prepared p, Task<GeneratedSequence> generation, CancellationToken ct)
    {
        var sequence = await generation.WaitAsync(ct).ConfigureAwait(false);
        if (sequence.Finish == FinishReason.Cancelled) ct.ThrowIfCancellationRequested();
        return Build(sequence, p.Request, p.PromptTokens, p.PromptHash, Stopwatch.GetElapsedTime(p.Started));
    }

    TeacherReply Build(GeneratedSequence sequence, TeacherRequest request, int promptTokens, string promptHash, TimeSpan latency)
    {
        var spans = new TokenSpans();
        var decoder = tokenizer.CreateDecoder(skipSpecial: false);
        foreach (var token in sequence.Tokens) spans.Add(decoder.Push((int)token.Id));
        spans.AddTail(decoder.Flush());
        var text = spans.Text;
        var parsed = format.Parse(text);

        IReadOnlyList<TokenLogprob>? logprobs = null;
        if (request.TopLogprobs is { } top)
            logprobs = sequence.Tokens.Select((t, i) => new TokenLogprob(TokenText(t.Id), t.Logprob, spans.Spans[i].Offset, spans.Spans[i].Length,
                t.Top.Take(top).Select(a => new TopLogprob(TokenText(a.Id), a.Logprob, (int)a.Id)).ToArray()) { Id = (int)t.Id }).ToArray();

        return new TeacherReply
        {
            Reasoning = string.IsNullOrEmpty(parsed.Reasoning) ? null : parsed.Reasoning,
            Content = parsed.Content,
            ToolCalls = parsed.ToolCalls,
            FinishReason = sequence.Finish == FinishReason.Length ? TeacherFinishReason.Length
                : parsed.ToolCalls.Count > 0 ? TeacherFinishReason.ToolCalls : TeacherFinishReason.Stop,
            PromptTokens = promptTokens,
            CompletionTokens = sequence.Tokens.Count,
            Text = text,
            Logprobs = logprobs,
            Latency = latency,
            PromptHash = promptHash,
            Teacher = Name,
            Revision = Revision,
            License = License,
        };
    }

    string TokenText(long id) => tokenizer.Decode([(int)id]);

    public void Dispose()
    {
        engine.DisposeAsync().AsTask().GetAwaiter().GetResult();
        owned?.Dispose();
    }
}
