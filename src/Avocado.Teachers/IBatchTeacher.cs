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

/// <summary>How offline work (traces, eval) is cut into units for teachers, the same way everywhere: a teacher that
/// batches gets its jobs in job order in fixed chunks of its batch size, any other teacher one job at a time; units come
/// in the order of their first job, so neighbouring units reach different teachers and keep all of them busy.</summary>
public static class FixedGroups
{
    /// <param name="teacherOf">The teacher (index) of each job.</param>
    /// <param name="batchSizes">Per teacher: its <see cref="IBatchTeacher.MaxBatch"/>, or null when it does not batch.</param>
    public static List<int[]> Plan(IReadOnlyList<int> teacherOf, IReadOnlyList<int?> batchSizes)
    {
        var units = new List<int[]>();
        for (int t = 0; t < batchSizes.Count; t++)
        {
            var mine = Enumerable.Range(0, teacherOf.Count).Where(j => teacherOf[j] == t);
            if (batchSizes[t] is { } size) units.AddRange(mine.Chunk(Math.Max(1, size)));
            else units.AddRange(mine.Select(j => new[] { j }));
        }
        units.Sort((a, b) => a[0].CompareTo(b[0]));
        return units;
    }
}
