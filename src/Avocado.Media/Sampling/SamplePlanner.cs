namespace Avocado.Media;

/// <summary>Chooses the times to sample, before anything is decoded (pure arithmetic on the duration and the scenes,
/// so each sampler is tested without video).</summary>
public static class SamplePlanner
{
    /// <summary>Target times in increasing order, at most <see cref="SamplingRequest.MaxFrames"/>.</summary>
    /// <param name="scenes">Required by the scene sampler; when given to the others, each time gets its scene index.</param>
    public static IReadOnlyList<PlannedFrame> Plan(SamplingRequest request, double duration, IReadOnlyList<Scene>? scenes = null)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!(duration > 0 && double.IsFinite(duration))) throw new ArgumentException($"duration must be positive, got {duration}");
        if (request.MaxFrames < 1) throw new ArgumentException($"MaxFrames must be at least 1, got {request.MaxFrames}");
        var times = request.Sampler switch
        {
            SamplerKind.Uniform => Centres(0, duration, request.MaxFrames),
            SamplerKind.Fps => Fps(duration, request.Fps ?? 1, request.MaxFrames),
            SamplerKind.Scene => SceneTimes(scenes ?? throw new ArgumentException("the scene sampler needs the video's scenes"), request.MaxFrames),
            _ => throw new ArgumentOutOfRangeException(nameof(request), request.Sampler, "unknown sampler"),
        };
        return [.. times.Select(t => new PlannedFrame(t, scenes is { Count: > 0 } ? Scene.IndexAt(scenes, t) : null))];
    }

    /// <summary>The centres of <paramref name="n"/> equal segments of [start, end).</summary>
    static IEnumerable<double> Centres(double start, double end, int n) =>
        Enumerable.Range(0, n).Select(k => start + (k + 0.5) * (end - start) / n);

    /// <summary>(k + ½) / F for every k whose time is inside the video (at least one frame, at the middle of a video
    /// shorter than half a period); more than <paramref name="max"/> are thinned to <paramref name="max"/> evenly spread.</summary>
    static IEnumerable<double> Fps(double duration, double fps, int max)
    {
        if (!(fps > 0 && double.IsFinite(fps))) throw new ArgumentException($"fps must be positive, got {fps}");
        long count = Math.Max(1, (long)Math.Ceiling(duration * fps - 0.5 - 1e-9));
        if (count == 1 && 0.5 / fps >= duration) return [duration / 2];
        if (count <= max) return Enumerable.Range(0, (int)count).Select(k => (k + 0.5) / fps);
        return Enumerable.Range(0, max).Select(m => ((long)Math.Floor((m + 0.5) * count / max) + 0.5) / fps);
    }

    /// <summary>Every scene gets one frame and the rest of the budget goes to scenes in proportion to their length
    /// (largest remainder); a scene's k frames sit at the centres of k equal parts of it. With more scenes than budget,
    /// the longest scenes get one frame each (ties: the earlier), so no part of the budget goes to flashes.</summary>
    static IEnumerable<double> SceneTimes(IReadOnlyList<Scene> scenes, int budget)
    {
        if (scenes.Count == 0) throw new ArgumentException("the scene sampler needs at least one scene");
        var counts = new int[scenes.Count];
        if (scenes.Count >= budget)
        {
            foreach (int i in Enumerable.Range(0, scenes.Count).OrderByDescending(i => scenes[i].Duration).ThenBy(i => i).Take(budget)) counts[i] = 1;
        }
        else
        {
            Array.Fill(counts, 1);
            int rest = budget - scenes.Count;
            double total = scenes.Sum(s => s.Duration);
            var shares = scenes.Select(s => rest * s.Duration / total).ToArray();
            for (int i = 0; i < counts.Length; i++) counts[i] += (int)Math.Floor(shares[i]);
            int left = budget - counts.Sum();
            foreach (int i in Enumerable.Range(0, counts.Length).OrderByDescending(i => shares[i] - Math.Floor(shares[i])).ThenBy(i => i).Take(left))
                counts[i]++;
        }
        return Enumerable.Range(0, scenes.Count).SelectMany(i => Centres(scenes[i].Start, scenes[i].End, counts[i]));
    }
}
