using System.Threading.Channels;
using Avocado.Models.Generation;

using Avocado.Teachers;

namespace Avocado.Inference;

/// <summary>
/// Serialises an in-process model's generation on one worker and batches requests that arrive together. Requests
/// share a batch when their sampling agrees apart from the seed; because <see cref="TextGenerator"/> gives batch row i
/// the seed <c>base + i</c>, sampled requests share one only when their seeds are consecutive (N samples of a prompt
/// are), greedy ones whatever their seeds. Each row is cut to its own max tokens and top-k, so a reply does not
/// depend on its batch partners — except in the last bits: batched kernels round differently for different batch
/// shapes, which can flip a near-tied greedy choice. A <em>group</em> (<see cref="EnqueueGroup"/>) is therefore batched
/// only with itself, so its replies depend on its requests alone, never on what else was in flight.
/// </summary>
internal sealed class GenerationQueue : IDisposable
{
    internal sealed record Job(long[] Prompt, SamplingOptions Sampling, int MaxNewTokens, int TopLogprobs, CancellationToken Cancellation)
    {
        public TaskCompletionSource<GeneratedSequence> Result { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    readonly Func<GenerationRequest, IReadOnlyList<GeneratedSequence>> generate;
    readonly IReadOnlyCollection<long> stopTokens;
    readonly int maxBatch;
    readonly TimeSpan window;
    readonly Channel<Job[]> queue = Channel.CreateUnbounded<Job[]>(new UnboundedChannelOptions { SingleReader = true });
    readonly CancellationTokenSource stopping = new();
    readonly Task worker;
    int batches;

    public GenerationQueue(Func<GenerationRequest, IReadOnlyList<GeneratedSequence>> generate, IReadOnlyCollection<long> stopTokens,
        int maxBatch, TimeSpan window)
    {
        this.generate = generate;
        this.stopTokens = stopTokens;
        this.maxBatch = maxBatch;
        this.window = window;
        worker = Task.Run(RunAsync);
    }

    /// <summary>Generation calls made so far (each may hold several requests).</summary>
    public int Batches => Volatile.Read(ref batches);

    /// <summary>Queues one job; it may share a batch with any other single job that is waiting.</summary>
    public Task<GeneratedSequence> Enqueue(Job job)
    {
        EnqueueGroup([job]);
        return job.Result.Task;
    }

    /// <summary>Queues jobs that are batched together and with nothing else (a group of one still batches with singles).</summary>
    public void EnqueueGroup(Job[] group)
    {
        if (group.Length == 0) return;
        if (!queue.Writer.TryWrite(group)) throw new ObjectDisposedException(nameof(InProcessTeacher));
    }

    async Task RunAsync()
    {
        try
        {
            while (await queue.Reader.WaitToReadAsync(stopping.Token).ConfigureAwait(false))
            {
                // A moment for concurrent callers to join this round.
                if (window > TimeSpan.Zero) await Task.Delay(window, stopping.Token).ConfigureAwait(false);
                var singles = new List<Job>();
                var groups = new List<List<Job>>();
                while (queue.Reader.TryRead(out var group))
                {
                    var live = new List<Job>();
                    foreach (var job in group)
                    {
                        if (job.Cancellation.IsCancellationRequested) job.Result.TrySetCanceled(job.Cancellation);
                        else live.Add(job);
                    }
                    if (group.Length == 1) singles.AddRange(live);
                    else groups.Add(live);
                }
                foreach (var batch in Plan(singles, maxBatch)) Run(batch);
                foreach (var group in groups)
                    foreach (var batch in Plan(group, maxBatch)) Run(batch);
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested) { }
        while (queue.Reader.TryRead(out var left))
            foreach (var job in left) job.Result.TrySetException(new ObjectDisposedException(nameof(InProcessTeacher)));
    }

    /// <summary>Splits jobs into batches that can run together (see the class summary).</summary>
    internal static IEnumerable<IReadOnlyList<Job>> Plan(IReadOnlyList<Job> jobs, int maxBatch)
    {
        foreach (var group in jobs.GroupBy(j => j.Sampling.Greedy
                     ? (true, 0.0, 0, 1.0, j.Sampling.RepetitionPenalty)
                     : (false, j.Sampling.Temperature, j.Sampling.TopK, j.Sampling.TopP, j.Sampling.RepetitionPenalty)))
        {
            if (group.Key.Item1)
            {
                foreach (var chunk in group.Chunk(maxBatch)) yield return chunk;
                continue;
            }
            var run = new List<Job>();
            foreach (var job in group.OrderBy(j => j.Sampling.Seed))
            {
                if (run.Count > 0 && (run.Count == maxBatch || job.Sampling.Seed != run[^1].Sampling.Seed + 1))
                {
                    yield return run;
                    run = [];
                }
                run.Add(job);
            }
            if (run.Count > 0) yield return run;
        }
    }

    void Run(IReadOnlyList<Job> batch)
    {
        Interlocked.Increment(ref batches);
        try
        {
            var results = generate(new GenerationRequest
            {
                Prompts = batch.Select(j => j.Prompt).ToArray(),
                MaxNewTokens = batch.Max(j => j.MaxNewTokens),
                Sampling = batch[0].Sampling.Greedy ? batch[0].Sampling with { Seed = 0 } : batch[0].Sampling,
                StopTokens = stopTokens,
                TopLogprobs = batch.Max(j => j.TopLogprobs),
                Cancellation = stopping.Token,
            });
            for (int i = 0; i < batch.Count; i++)
            {
                var job = batch[i];
                var sequence = results[i];
                if (sequence.Finish == FinishReason.Cancelled)
                {
                    job.Result.TrySetException(new ObjectDisposedException(nameof(InProcessTeacher), "the teacher was disposed during generation"));
                    continue;
                }
                job.Result.TrySetResult(Cut(sequence, job.MaxNewTokens, job.TopLogprobs));
            }
        }
        catch (Exception e)
        {
            // One prompt that breaks the model must not fail its batch partners: each runs again alone.
            if (batch.Count == 1) batch[0].Result.TrySetException(e);
            else foreach (var job in batch) Run([job]);
        }
    }

    /// <summary>The row as a request of its own would have produced it: its max tokens, its top-k.</summary>
    static GeneratedSequence Cut(GeneratedSequence s, int maxNewTokens, int topLogprobs)
    {
        var finish = s.Tokens.Count > maxNewTokens ? FinishReason.Length : s.Finish;
        var tokens = s.Tokens.Take(maxNewTokens).Select(t => t.Top.Count > topLogprobs ? t with { Top = t.Top.Take(topLogprobs).ToArray() } : t).ToArray();
        return new GeneratedSequence(tokens, finish);
    }

    public void Dispose()
    {
        queue.Writer.TryComplete();
        stopping.Cancel();
        try { worker.Wait(TimeSpan.FromSeconds(30)); }
        catch (AggregateException) { }
        stopping.Dispose();
    }
}
