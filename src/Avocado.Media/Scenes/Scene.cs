namespace Avocado.Media;

/// <summary>A stretch of video between two cuts: [Start, End) in seconds; the first starts at 0, the last ends at the
/// video's duration.</summary>
public sealed record Scene(int Index, double Start, double End)
{
    public double Duration => End - Start;

    /// <summary>The index of the scene that shows time <paramref name="t"/> (times past the end belong to the last).</summary>
    public static int IndexAt(IReadOnlyList<Scene> scenes, double t)
    {
        if (scenes.Count == 0) throw new ArgumentException("no scenes");
        int lo = 0, hi = scenes.Count - 1;
        while (lo < hi)
        {
            int mid = (lo + hi + 1) / 2;
            if (scenes[mid].Start <= t) lo = mid; else hi = mid - 1;
        }
        return lo;
    }
}

/// <summary>How cuts are found; the defaults are what the cross-check against ffmpeg's own scene score used.</summary>
public sealed record SceneDetectionOptions
{
    /// <summary>A cut is where the colour-histogram distance between one analysis frame and the next reaches this
    /// (0 = same histograms, 1 = no colour in common; see <see cref="ColorHistogram.Distance"/>). 0.3: between
    /// consecutive frames of moving test patterns the distance stays under 0.1 (testsrc2: 0.07), at the hard cuts of
    /// the test videos it is 0.58–0.67; the same threshold as ffmpeg's own <c>select='gt(scene,0.3)'</c>, on a
    /// different measure (docs/VISION.md).</summary>
    public double Threshold { get; init; } = 0.3;

    /// <summary>A cut closer than this to the previous one is ignored: a flash or a one-frame glitch is not a scene.</summary>
    public double MinSceneSeconds { get; init; } = 0.5;

    /// <summary>Analysis frames per second: the video's own rate up to this cap. Consecutive frames are compared, so at
    /// the video's own rate a cut lands on its exact frame.</summary>
    public double MaxAnalysisFps { get; init; } = 30;

    /// <summary>Longest side of the analysis thumbnails: 64 px gives 2,304–4,096 pixels per histogram, enough for
    /// 3×32 bins, and costs little next to decoding.</summary>
    public int AnalysisSide { get; init; } = 64;

    internal void Validate()
    {
        if (!(Threshold > 0 && Threshold <= 1)) throw new ArgumentException($"SceneDetectionOptions.Threshold must be in (0, 1], got {Threshold}");
        if (!(MinSceneSeconds >= 0)) throw new ArgumentException($"SceneDetectionOptions.MinSceneSeconds must be ≥ 0, got {MinSceneSeconds}");
        if (!(MaxAnalysisFps > 0)) throw new ArgumentException($"SceneDetectionOptions.MaxAnalysisFps must be positive, got {MaxAnalysisFps}");
        if (AnalysisSide < 8) throw new ArgumentException($"SceneDetectionOptions.AnalysisSide must be at least 8, got {AnalysisSide}");
    }
}
