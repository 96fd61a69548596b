using System.Collections.Concurrent;

namespace Avocado.Teachers;

/// <summary>
/// Puts a <see cref="ResponseCache"/> in front of a teacher: a request whose key is stored is answered from disk
/// (<see cref="TeacherReply.FromCache"/> set) without calling the teacher, so re-running a job makes zero teacher calls;
/// concurrent requests with the same key share one call. Only successful replies are stored; errors pass through.
/// </summary>
public sealed class CachedTeacher(ITeacher inner, ResponseCache cache) : ITeacher
{
    readonly ConcurrentDictionary<string, Task<TeacherReply>> inFlight = new();
    long hits, misses, calls;

    public ITeacher Inner { get; } = inner ?? throw new ArgumentNullException(nameof(inner));
    public ResponseCache Cache { get; } = cache ?? throw new ArgumentNullException(nameof(cache));
    public string Name => Inner.Name;
    public string Family => Inner.Family;
    public string Revision => Inner.Revision;
    public string License => Inner.License;

    /// <summary>Hits: served without a teacher call (from disk, or by joining an identical call in flight). Misses: calls made.
    /// Corrupt and Writes are this cache directory's (shared by every teacher using it).</summary>
    public CacheStats Stats => new(Interlocked.Read(ref hits), Interlocked.Read(ref misses), Cache.Stats.Corrupt, Cache.Stats.Writes);

    /// <summary>Calls made to the inner teacher (failed ones included).</summary>
    public long TeacherCalls => Interlocked.Read(ref calls);

    public string RenderPrompt(TeacherRequest request) => Inner.RenderPrompt(request);

    /// <summary>The cache key of a request to this teacher.</summary>
    public string KeyOf(TeacherRequest request) => ResponseCache.Key(Name, Revision, Inner.RenderPrompt(request), request);

    public async Task<TeacherReply> GenerateAsync(TeacherRequest request, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        request.Validate();
        var key = KeyOf(request);
        while (true)
        {
            if (Cache.TryGet(key) is { } stored) return Hit(stored);

            var mine = new TaskCompletionSource<TeacherReply>(TaskCreationOptions.RunContinuationsAsynchronously);
            var current = inFlight.GetOrAdd(key, mine.Task);
            if (current != mine.Task)
            {
                try
                {
                    return Hit(await current.WaitAsync(ct).ConfigureAwait(false));
                }
                catch (OperationCanceledException) when (!ct.IsCancellationRequested)
                {
                    continue; // the caller that owned the call cancelled it; ours still stands: try again
                }
            }

            try
            {
                // An identical call may have completed between our lookup and our claim.
                if (Cache.TryGet(key) is { } late)
                {
                    mine.SetResult(late);
                    return Hit(late);
                }
                Interlocked.Increment(ref misses);
                Interlocked.Increment(ref calls);
                var reply = await Inner.GenerateAsync(request, ct).ConfigureAwait(false);
                Cache.Put(key, reply, request);
                mine.SetResult(reply);
                return reply;
            }
            catch (OperationCanceledException e)
            {
                mine.SetCanceled(e.CancellationToken);
                throw;
            }
            catch (Exception e)
            {
                mine.SetException(e);
                _ = mine.Task.Exception; // observed: joiners rethrow it; nobody else needs to
                throw;
            }
            finally
            {
                inFlight.TryRemove(new KeyValuePair<string, Task<TeacherReply>>(key, mine.Task));
            }
        }
    }

    /// <summary>Answers requests as one fixed group: hits from the cache, the misses handed to
    /// <paramref name="generateMisses"/> together (e.g. <see cref="IBatchTeacher.GenerateTogether"/>), each reply
    /// stored as it arrives. One task per request, in order; a failure faults its own task only.</summary>
    public IReadOnlyList<Task<TeacherReply>> GenerateTogether(IReadOnlyList<TeacherRequest> requests,
        Func<IReadOnlyList<TeacherRequest>, IReadOnlyList<Task<TeacherReply>>> generateMisses)
    {
        ArgumentNullException.ThrowIfNull(requests);
        var tasks = new Task<TeacherReply>[requests.Count];
        var misses = new List<(int Index, string Key)>();
        for (int i = 0; i < requests.Count; i++)
        {
            try
            {
                requests[i].Validate();
                var key = KeyOf(requests[i]);
                if (Cache.TryGet(key) is { } stored) tasks[i] = Task.FromResult(Hit(stored));
                else misses.Add((i, key));
            }
            catch (Exception e)
            {
                tasks[i] = Task.FromException<TeacherReply>(e);
            }
        }
        if (misses.Count == 0) return tasks;
        Interlocked.Add(ref this.misses, misses.Count);
        Interlocked.Add(ref calls, misses.Count);
        var replies = generateMisses([.. misses.Select(m => requests[m.Index])]);
        for (int m = 0; m < misses.Count; m++)
        {
            var (index, key) = misses[m];
            tasks[index] = Store(replies[m], key, requests[index]);
        }
        return tasks;
    }

    async Task<TeacherReply> Store(Task<TeacherReply> pending, string key, TeacherRequest request)
    {
        var reply = await pending.ConfigureAwait(false);
        Cache.Put(key, reply, request);
        return reply;
    }

    TeacherReply Hit(TeacherReply reply)
    {
        Interlocked.Increment(ref hits);
        return reply with { FromCache = true };
    }
}
