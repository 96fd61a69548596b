using Avocado.Teachers;

namespace Avocado.Distill.Engine;

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
