using Avocado.Teachers;

namespace Avocado.Traces.Engine;

/// <summary>
/// Holds one of the run's request slots (<c>concurrency</c>, shared by every teacher) only while its teacher is asked,
/// and passes everything else through. The engine puts it under the response cache, so a cache hit takes no slot and
/// the cache write, verification and bookkeeping after a reply happen with the slot already free for the next request:
/// the slots, not the engine's own work, bound how many requests are in flight.
/// </summary>
internal sealed class SlotLimitedTeacher(ITeacher inner, SemaphoreSlim slots) : ITeacher, ITeacherDiagnostics
{
    public ITeacher Inner { get; } = inner;
    public string Name => Inner.Name;
    public string Family => Inner.Family;
    public string Revision => Inner.Revision;
    public string License => Inner.License;

    /// <summary>The inner teacher's (an in-process teacher renders its chat template): cache keys must not change.</summary>
    public string RenderPrompt(TeacherRequest request) => Inner.RenderPrompt(request);

    public TeacherStats Stats => (Inner as ITeacherDiagnostics)?.Stats ?? new TeacherStats { Teacher = Name };

    /// <summary>A fixed group for a batching teacher, holding one slot while the group runs (the teacher decodes it as
    /// one batch: one unit of its work).</summary>
    public IReadOnlyList<Task<TeacherReply>> GenerateTogether(IReadOnlyList<TeacherRequest> requests, CancellationToken ct)
    {
        var batch = Inner as IBatchTeacher ?? throw new InvalidOperationException($"teacher '{Name}' does not batch");
        var started = new TaskCompletionSource<IReadOnlyList<Task<TeacherReply>>>(TaskCreationOptions.RunContinuationsAsynchronously);
        _ = RunAsync();
        return [.. requests.Select((_, i) => Pick(i))];

        async Task RunAsync()
        {
            try
            {
                await slots.WaitAsync(ct).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                started.SetException(e);
                return;
            }
            try
            {
                var tasks = batch.GenerateTogether(requests, ct);
                started.SetResult(tasks);
                try { await Task.WhenAll(tasks).ConfigureAwait(false); } catch { /* each task reports its own failure */ }
            }
            catch (Exception e)
            {
                started.TrySetException(e);
            }
            finally
            {
                slots.Release();
            }
        }

        async Task<TeacherReply> Pick(int i) => await (await started.Task.ConfigureAwait(false))[i].ConfigureAwait(false);
    }

    public async Task<TeacherReply> GenerateAsync(TeacherRequest request, CancellationToken ct)
    {
        await slots.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            return await Inner.GenerateAsync(request, ct).ConfigureAwait(false);
        }
        finally
        {
            slots.Release();
        }
    }
}
