using System.Threading.Channels;
using Avocado.Models.Generation;
using Avocado.Models.Layers;
using Avocado.Models.Torch;
using Avocado.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Avocado.Inference;

/// <summary>The one batching engine: every in-process model (the gateway's, teachers', eval's, the CLI's) generates
/// here. A bounded queue, continuous batching (queued requests join the running batch between decode steps),
/// per-request streaming, and cancellation that frees the slot at the next step.</summary>
/// <remarks>A single loop thread owns the model and every KV cache, so no tensor is touched concurrently. Prefill
/// runs one request at a time (not chunked): a very long prompt delays the batch's next step by its prefill time.
/// Batched kernels round differently for different batch shapes, which can flip a near-tied greedy token; so work
/// that must be reproducible is submitted as a <em>group</em> (<see cref="SubmitGroup"/>), which runs by itself —
/// in order, MaxBatch at a time, nothing else joining — and its replies depend on its requests alone.</remarks>
public sealed class InferenceEngine : IAsyncDisposable
{
    readonly IGenerationModel model;
    readonly EngineOptions options;
    readonly Channel<Pending[]> queue;   // a single request is an array of one; a group is batched only with itself
    readonly CancellationTokenSource stopping = new();
    readonly Task loop;
    long queued;
    long forwardPasses;

    sealed record Pending(EngineRequest Request, ChannelWriter<EngineEvent> Events, bool Grouped);

    /// <summary>A group's chunk decoding in lockstep on one shared KV cache (row b is one request): one batched
    /// attention per layer instead of one per request. Rows that finished feed a masked dummy token (position −1) so the
    /// batch keeps its shape; the cache goes when the last row is done.</summary>
    sealed class Lockstep(KvCache cache, int rows, int live)
    {
        public KvCache Cache => cache;
        public int Rows => rows;
        public void RowDone()
        {
            if (--live == 0) cache.Dispose();
        }
    }

    /// <summary>A request being decoded: on a cache of its own, or as row <see cref="Row"/> of a <see cref="Lockstep"/>.</summary>
    sealed class Active(Pending p, KvCache? cache, Lockstep? batch = null, int row = 0) : IDisposable
    {
        public EngineRequest Request => p.Request;
        public ChannelWriter<EngineEvent> Events => p.Events;
        public KvCache? Cache { get; } = cache;
        public Lockstep? Batch { get; } = batch;
        public int Row { get; } = row;
        public Generator Generator { get; } = new((ulong)p.Request.Sampling.Seed);
        public List<long> Seen { get; } = [.. p.Request.PromptIds];
        public int Generated { get; set; }
        public long NextPosition { get; set; } = p.Request.PromptIds.Length;
        public bool Grouped => p.Grouped;
        public void Dispose()
        {
            Cache?.Dispose();
            Batch?.RowDone();
        }
    }

    public InferenceEngine(IGenerationModel model, EngineOptions? options = null)
    {
        this.model = model;
        this.options = options ?? new EngineOptions();
        this.options.Validate();
        queue = Channel.CreateUnbounded<Pending[]>(new UnboundedChannelOptions { SingleReader = true });
        loop = Task.Factory.StartNew(Run, TaskCreationOptions.LongRunning);
    }

    public IGenerationModel Model => model;

    /// <summary>Requests waiting for a batch slot.</summary>
    public int Queued => (int)Interlocked.Read(ref queued);

    /// <summary>Forward passes run so far (prefills and batched decode steps): how much batching saved shows here.</summary>
    public long ForwardPasses => Interlocked.Read(ref forwardPasses);

    /// <summary>Queues a request; on <see cref="SubmitResult.Accepted"/> its events stream through <paramref name="events"/>.</summary>
    public SubmitResult Submit(EngineRequest request, out ChannelReader<EngineEvent> events)
    {
        var result = SubmitGroup([request], out var streams, grouped: false);
        events = streams[0];
        return result;
    }

    /// <summary>Queues requests that are decoded together and with nothing else (see the remarks); all are accepted
    /// or none. A request the engine cannot serve refuses the whole group: check requests before grouping them.</summary>
    public SubmitResult SubmitGroup(IReadOnlyList<EngineRequest> requests, out ChannelReader<EngineEvent>[] events) =>
        SubmitGroup(requests, out events, grouped: true);

    SubmitResult SubmitGroup(IReadOnlyList<EngineRequest> requests, out ChannelReader<EngineEvent>[] events, bool grouped)
    {
        events = [.. requests.Select(_ => Channel.CreateBounded<EngineEvent>(1).Reader)];
        if (stopping.IsCancellationRequested) return SubmitResult.ShuttingDown;
        foreach (var request in requests)
        {
            if (request.PromptIds.Length == 0 || request.PromptIds.Any(id => id < 0 || id >= model.VocabSize)) return SubmitResult.InvalidPrompt;
            if (request.PromptIds.Length + request.MaxNewTokens > options.MaxContext) return SubmitResult.PromptTooLong;
        }
        if (requests.Count == 0) return SubmitResult.Accepted;
        if (Interlocked.Add(ref queued, requests.Count) > options.MaxQueue)
        {
            Interlocked.Add(ref queued, -requests.Count);
            return SubmitResult.QueueFull;
        }
        var pending = new Pending[requests.Count];
        for (int i = 0; i < requests.Count; i++)
        {
            var channel = Channel.CreateUnbounded<EngineEvent>(new UnboundedChannelOptions { SingleWriter = true });
            events[i] = channel.Reader;
            pending[i] = new Pending(requests[i], channel.Writer, grouped);
        }
        if (!queue.Writer.TryWrite(pending))
        {
            Interlocked.Add(ref queued, -requests.Count);
            return SubmitResult.ShuttingDown;
        }
        return SubmitResult.Accepted;
    }

    void Run()
    {
        var active = new List<Active>();
        var waiting = new Queue<Pending>();  // taken from the channel, not yet admitted (a group's rest, in order)
        using var _ = no_grad();
        while (!stopping.IsCancellationRequested)
        {
            Admit(active, waiting);
            if (active.Count == 0)
            {
                if (waiting.Count > 0) continue;
                try { queue.Reader.WaitToReadAsync(stopping.Token).AsTask().Wait(); }
                catch (AggregateException) { break; }
                continue;
            }
            DecodeStep(active);
        }
        foreach (var a in active) Finish(a, FinishReason.Cancelled, "the engine is shutting down");
        foreach (var p in waiting) p.Events.TryComplete();
        while (queue.Reader.TryRead(out var left))
            foreach (var p in left) p.Events.TryComplete();
    }

    /// <summary>Fills free batch slots in arrival order. A group starts only on an empty batch and then runs alone:
    /// singles behind it wait (first come, first served), and nothing joins it until its rows are done.</summary>
    void Admit(List<Active> active, Queue<Pending> waiting)
    {
        bool groupRunning = active.Count > 0 && active[0].Grouped;
        if (groupRunning) return;
        while (active.Count < options.MaxBatch)
        {
            if (waiting.Count == 0)
            {
                if (!queue.Reader.TryRead(out var next)) return;
                foreach (var p in next) waiting.Enqueue(p);
            }
            if (waiting.Peek().Grouped)
            {
                if (active.Count > 0) return;
                var chunk = new List<Pending>();
                while (chunk.Count < options.MaxBatch && waiting.TryPeek(out var p) && p.Grouped)
                {
                    chunk.Add(waiting.Dequeue());
                    Interlocked.Decrement(ref queued);
                }
                active.AddRange(PrefillTogether(chunk));
                return;
            }
            var single = waiting.Dequeue();
            Interlocked.Decrement(ref queued);
            if (Prefill(single) is { } one) active.Add(one);
        }
    }

    /// <summary>A group's chunk prefilled as one left-padded batch (padding at position −1, which the mask hides), then
    /// decoded in <see cref="Lockstep"/>: one forward pass per step for the whole chunk, which on small models is most
    /// of the speed. Prompts with pixels, or a batch the model refuses, go one at a time on caches of their own (a bad
    /// prompt then fails alone).</summary>
    List<Active> PrefillTogether(List<Pending> chunk)
    {
        var live = chunk.Where(p => !CancelledBeforeStart(p)).ToList();
        var admitted = new List<Active>();
        if (live.Count < 2 || live.Any(p => p.Request.Visual is not null))
        {
            foreach (var p in live) if (Prefill(p) is { } a) admitted.Add(a);
            return admitted;
        }
        using var scope = NewDisposeScope();
        Tensor logits;
        var batch = model.NewCache();
        try
        {
            int rows = live.Count, length = live.Max(p => p.Request.PromptIds.Length);
            var ids = new long[rows * length];
            var positions = new long[rows * length];
            for (int b = 0; b < rows; b++)
            {
                var prompt = live[b].Request.PromptIds;
                int pad = length - prompt.Length;
                for (int t = 0; t < length; t++)
                {
                    ids[b * length + t] = t < pad ? 0 : prompt[t - pad];
                    positions[b * length + t] = t < pad ? -1 : t - pad;
                }
            }
            Interlocked.Increment(ref forwardPasses);
            logits = model.Forward(new ForwardInputs(tensor(ids, device: model.Device).view(rows, length),
                tensor(positions, device: model.Device).view(rows, length), batch, LastPositionOnly: true));
        }
        catch (Exception)
        {
            batch.Dispose();
            foreach (var p in live) if (Prefill(p) is { } a) admitted.Add(a);
            return admitted;
        }
        var lockstep = new Lockstep(batch, live.Count, live.Count);
        for (int b = 0; b < live.Count; b++)
        {
            var a = new Active(live[b], null, lockstep, b);
            try { if (Emit(a, logits[b, 0])) admitted.Add(a); }
            catch (Exception e) { Finish(a, FinishReason.Cancelled, e.Message); }
        }
        return admitted;
    }

    bool CancelledBeforeStart(Pending pending)
    {
        if (!pending.Request.Cancellation.IsCancellationRequested) return false;
        pending.Events.TryWrite(new GenerationCompleted(FinishReason.Cancelled, pending.Request.PromptIds.Length, 0));
        pending.Events.TryComplete();
        return true;
    }

    Active? Prefill(Pending pending)
    {
        var request = pending.Request;
        if (CancelledBeforeStart(pending)) return null;
        var active = new Active(pending, model.NewCache());
        try
        {
            using var scope = NewDisposeScope();
            var ids = tensor(request.PromptIds, device: model.Device).unsqueeze(0);
            var positions = ScalarOps.Arange(0, request.PromptIds.Length, model.Device).unsqueeze(0);
            Interlocked.Increment(ref forwardPasses);
            var logits = model.Forward(new ForwardInputs(ids, positions, active.Cache, LastPositionOnly: true, Visual: request.Visual));
            return Emit(active, logits[0, 0]) ? active : null;
        }
        catch (Exception e)
        {
            Finish(active, FinishReason.Cancelled, e.Message);
            return null;
        }
    }

    void DecodeStep(List<Active> active)
    {
        using var scope = NewDisposeScope();
        if (active[0].Batch is { } lockstep)
        {
            LockstepStep(active, lockstep);
            return;
        }
        var rows = Forward(active);
        for (int i = active.Count - 1; i >= 0; i--)
        {
            var a = active[i];
            bool goesOn;
            try
            {
                if (rows[i].Error is { } error) throw new InvalidOperationException(error);
                a.NextPosition++;
                goesOn = Emit(a, rows[i].Logits!);
            }
            catch (Exception e)
            {
                Finish(a, FinishReason.Cancelled, e.Message);
                goesOn = false;
            }
            if (!goesOn) active.RemoveAt(i);
        }
    }

    /// <summary>One step of a group chunk in lockstep (a group runs alone, so every active request is a row of it).</summary>
    void LockstepStep(List<Active> active, Lockstep lockstep)
    {
        var ids = new long[lockstep.Rows];
        var positions = new long[lockstep.Rows];
        Array.Fill(positions, -1L);
        foreach (var a in active) (ids[a.Row], positions[a.Row]) = (a.Seen[^1], a.NextPosition);
        Tensor logits;
        try
        {
            Interlocked.Increment(ref forwardPasses);
            logits = model.Forward(new ForwardInputs(tensor(ids, device: model.Device).view(lockstep.Rows, 1),
                tensor(positions, device: model.Device).view(lockstep.Rows, 1), lockstep.Cache, LastPositionOnly: true));
        }
        catch (Exception e)
        {
            // Prefill accepted every prompt, so a failing step is the model's, not one request's.
            foreach (var a in active) Finish(a, FinishReason.Cancelled, e.Message);
            active.Clear();
            return;
        }
        for (int i = active.Count - 1; i >= 0; i--)
        {
            var a = active[i];
            bool goesOn;
            try
            {
                a.NextPosition++;
                goesOn = Emit(a, logits[a.Row, 0]);
            }
            catch (Exception e)
            {
                Finish(a, FinishReason.Cancelled, e.Message);
                goesOn = false;
            }
            if (!goesOn) active.RemoveAt(i);
        }
    }

    /// <summary>The next-token logits (V) of every row, or the error of a row that fails. When the batched step fails,
    /// its partial cache writes are undone and each row runs alone: a request that breaks the model fails by itself,
    /// not with its batch partners.</summary>
    (Tensor? Logits, string? Error)[] Forward(List<Active> active)
    {
        var lengths = active.Select(a => a.Cache!.Length).ToArray();
        try
        {
            var logits = ForwardRows(active);
            return [.. active.Select((_, i) => ((Tensor?)logits[i, 0], (string?)null))];
        }
        catch (Exception) when (active.Count > 1)
        {
            for (int i = 0; i < active.Count; i++) active[i].Cache!.Truncate(lengths[i]);
            return [.. active.Select(a =>
            {
                try { return ((Tensor?)ForwardRows([a])[0, 0], (string?)null); }
                catch (Exception alone) { return (null, alone.Message); }
            })];
        }
        catch (Exception e)
        {
            return [(null, e.Message)];
        }
    }

    Tensor ForwardRows(IReadOnlyList<Active> rows)
    {
        var ids = tensor(rows.Select(a => a.Seen[^1]).ToArray(), device: model.Device).unsqueeze(1);
        var positions = tensor(rows.Select(a => a.NextPosition).ToArray(), device: model.Device).unsqueeze(1);
        Interlocked.Increment(ref forwardPasses);
        return model.Forward(new ForwardInputs(ids, positions, LastPositionOnly: true, RowCaches: rows.Select(a => a.Cache!).ToArray()));
    }

    /// <summary>Picks and streams the next token; false (and the request completed) when it is done.</summary>
    bool Emit(Active a, Tensor logits)
    {
        if (a.Request.Cancellation.IsCancellationRequested)
        {
            Finish(a, FinishReason.Cancelled);
            return false;
        }
        var token = TokenPicker.Pick(logits, a.Seen, a.Request.Sampling, a.Generator, a.Request.TopLogprobs);
        a.Seen.Add(token.Id);
        a.Generated++;
        a.Events.TryWrite(new TokenGenerated(token));
        if (a.Request.StopTokens.Contains(token.Id)) { Finish(a, FinishReason.Stop); return false; }
        if (a.Generated >= a.Request.MaxNewTokens) { Finish(a, FinishReason.Length); return false; }
        return true;
    }

    static void Finish(Active a, FinishReason finish, string? error = null)
    {
        a.Events.TryWrite(new GenerationCompleted(finish, a.Request.PromptIds.Length, a.Generated, error));
        a.Events.TryComplete();
        a.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        stopping.Cancel();
        queue.Writer.TryComplete();
        await loop.ConfigureAwait(false);
        stopping.Dispose();
    }
}
