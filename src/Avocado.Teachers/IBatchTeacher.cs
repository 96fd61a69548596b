namespace Avocado.Teachers;

/// <summary>
/// A teacher that can run several requests as one fixed batch. Batched kernels round differently for different batch
/// shapes, so a reply can depend (in the last bits, and through them a near-tied greedy choice) on which other requests
/// shared its batch; requests sent together here share a batch with nothing else, so their replies depend only on the
/// requests. Offline work that must be reproducible (evaluation) sends fixed chunks through this.
/// </summary>
public interface IBatchTeacher : ITeacher
{
    /// <summary>The most requests decoded together; larger chunks run as several batches, still in order.</summary>
    int MaxBatch { get; }

    /// <summary>One task per request, in order; a request that is invalid or fails faults its own task only.</summary>
    IReadOnlyList<Task<TeacherReply>> GenerateTogether(IReadOnlyList<TeacherRequest> requests, CancellationToken ct);
}
