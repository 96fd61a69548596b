namespace Avocado.Media.Tests.Sampling;

/// <summary>The samplers' choice of times: pure arithmetic, checked against hand-computed plans.</summary>
public sealed class SamplePlannerTests
{
    static double[] Times(SamplingRequest request, double duration, IReadOnlyList<Scene>? scenes = null) =>
        [.. SamplePlanner.Plan(request, duration, scenes).Select(p => Math.Round(p.Time, 9))];

    [Fact]
    public void Uniform_takes_the_centres_of_n_equal_segments()
    {
        Assert.Equal([1.25, 3.75, 6.25, 8.75], Times(new SamplingRequest { Sampler = SamplerKind.Uniform, MaxFrames = 4 }, 10));
        Assert.Equal([5.0], Times(new SamplingRequest { Sampler = SamplerKind.Uniform, MaxFrames = 1 }, 10));
    }

    [Fact]
    public void Fps_takes_the_centres_of_one_over_f_second_segments_inside_the_video()
    {
        Assert.Equal([0.25, 0.75, 1.25, 1.75, 2.25], Times(new SamplingRequest { Sampler = SamplerKind.Fps, Fps = 2, MaxFrames = 100 }, 2.5));
        Assert.Equal([0.5, 1.5, 2.5], Times(new SamplingRequest { Sampler = SamplerKind.Fps, MaxFrames = 100 }, 3.2)); // 1 fps by default
        Assert.Equal([0.1], Times(new SamplingRequest { Sampler = SamplerKind.Fps, Fps = 1, MaxFrames = 100 }, 0.2)); // shorter than half a period
    }

    [Fact]
    public void Fps_thins_evenly_when_it_would_exceed_the_budget()
    {
        // 10 s at 2 fps is 20 times (0.25, 0.75, …, 9.75); a budget of 4 keeps numbers 2, 7, 12 and 17.
        Assert.Equal([1.25, 3.75, 6.25, 8.75], Times(new SamplingRequest { Sampler = SamplerKind.Fps, Fps = 2, MaxFrames = 4 }, 10));
    }

    [Fact]
    public void Scene_gives_every_scene_one_frame_then_shares_the_rest_by_length()
    {
        var scenes = SceneDetector.FromCuts([2.0, 5.0, 7.5], 10); // lengths 2, 3, 2.5, 2.5
        // Budget 8: one each, and 4 more shared as 0.8, 1.2, 1.0, 1.0 → floors 0, 1, 1, 1 and the largest remainder (0.8) → 1.
        var plan = SamplePlanner.Plan(new SamplingRequest { Sampler = SamplerKind.Scene, MaxFrames = 8 }, 10, scenes);

        Assert.Equal([0, 0, 1, 1, 2, 2, 3, 3], plan.Select(p => p.Scene!.Value));
        Assert.Equal([0.5, 1.5, 2.75, 4.25, 5.625, 6.875, 8.125, 9.375], plan.Select(p => Math.Round(p.Time, 9)));
    }

    [Fact]
    public void Scene_with_more_scenes_than_budget_gives_the_longest_one_frame_each_in_time_order()
    {
        var scenes = SceneDetector.FromCuts([1.0, 1.5, 6.0, 6.2], 10); // lengths 1, 0.5, 4.5, 0.2, 3.8
        var plan = SamplePlanner.Plan(new SamplingRequest { Sampler = SamplerKind.Scene, MaxFrames = 3 }, 10, scenes);

        Assert.Equal([0, 2, 4], plan.Select(p => p.Scene!.Value));
        Assert.Equal([0.5, 3.75, 8.1], plan.Select(p => Math.Round(p.Time, 9)));
    }

    [Fact]
    public void Other_samplers_mark_scenes_when_given_them_and_leave_them_null_otherwise()
    {
        var scenes = SceneDetector.FromCuts([5.0], 10);
        var request = new SamplingRequest { Sampler = SamplerKind.Uniform, MaxFrames = 4 };

        Assert.Equal([0, 0, 1, 1], SamplePlanner.Plan(request, 10, scenes).Select(p => p.Scene!.Value));
        Assert.All(SamplePlanner.Plan(request, 10), p => Assert.Null(p.Scene));
        Assert.Throws<ArgumentException>(() => SamplePlanner.Plan(new SamplingRequest { Sampler = SamplerKind.Scene }, 10));
    }

    [Fact]
    public void Runs_break_at_wide_gaps_and_at_the_target_cap()
    {
        Assert.Equal([[1.0, 5.0, 15.0], [26.0]], FrameGrabber.Runs([1.0, 5.0, 15.0, 26.0]).ToList());
        var dense = Enumerable.Range(0, 130).Select(i => i * 0.1).ToArray();
        Assert.Equal([64, 64, 2], FrameGrabber.Runs(dense).Select(r => r.Count));
        Assert.Throws<ArgumentException>(() => FrameGrabber.Runs([2.0, 1.0]).ToList());
    }
}
