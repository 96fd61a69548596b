namespace Avocado.Media.Tests.Scenes;

public sealed class SceneDetectionTests
{
    readonly MediaFiles files = MediaFiles.Shared;

    const double OneFrame = 1 / MediaFiles.CutsFps;

    [Fact]
    public async Task Cuts_at_known_times_are_found_on_their_frame()
    {
        var scenes = await new SceneDetector().DetectAsync(files.Cuts);

        Assert.Equal(4, scenes.Count);
        Assert.Equal(0, scenes[0].Start);
        Assert.Equal(10, scenes[^1].End, 3);
        for (int i = 0; i < MediaFiles.CutTimes.Length; i++)
        {
            Assert.Equal(MediaFiles.CutTimes[i], scenes[i + 1].Start, 1e-6);
            Assert.Equal(scenes[i + 1].Start, scenes[i].End);
        }
        Assert.Equal([0, 1, 2, 3], scenes.Select(s => s.Index));
    }

    [Fact]
    public async Task Cut_times_agree_with_ffmpegs_own_scene_score_within_one_frame()
    {
        var ours = (await new SceneDetector().DetectAsync(files.Cuts)).Skip(1).Select(s => s.Start).ToArray();
        var theirs = Ffmpeg.SceneCuts(files.Cuts, threshold: 0.3);

        Assert.Equal(theirs.Length, ours.Length);
        for (int i = 0; i < ours.Length; i++)
            Assert.True(Math.Abs(ours[i] - theirs[i]) <= OneFrame + 1e-9, $"cut {i}: ours {ours[i]} s, ffmpeg's {theirs[i]} s");
    }

    [Fact]
    public async Task A_cut_between_colours_of_equal_luma_is_found_though_ffmpegs_score_misses_it()
    {
        var scenes = await new SceneDetector().DetectAsync(files.SameLumaCut);

        Assert.Equal([0.0, 2.0], scenes.Select(s => Math.Round(s.Start, 6)));
        Assert.Empty(Ffmpeg.SceneCuts(files.SameLumaCut, threshold: 0.3)); // why histograms of R, G and B, not of luma
    }

    [Fact]
    public async Task Motion_without_a_cut_is_one_scene()
    {
        var scenes = await new SceneDetector().DetectAsync(files.Motion);

        var only = Assert.Single(scenes);
        Assert.Equal((0, 6.0), (only.Start, Math.Round(only.End, 3)));
    }

    [Fact]
    public async Task A_higher_threshold_or_a_longer_minimum_scene_drops_cuts()
    {
        var longScenes = await new SceneDetector(options: new SceneDetectionOptions { MinSceneSeconds = 2.6 }).DetectAsync(files.Cuts);
        // 2.0 is within 2.6 s of the start: dropped; 5.0 is 5 s after it: kept; 7.5 is 2.5 s after 5.0: dropped.
        Assert.Equal([0.0, 5.0], longScenes.Select(s => Math.Round(s.Start, 6)));

        // The cuts of this video measure 0.58–0.67; nothing reaches 0.9.
        var strict = await new SceneDetector(options: new SceneDetectionOptions { Threshold = 0.9 }).DetectAsync(files.Cuts);
        Assert.Single(strict);
    }

    [Fact]
    public void Histogram_distance_is_zero_for_equal_one_for_disjoint_and_sees_colour_at_equal_luma()
    {
        byte[] red = [.. Enumerable.Repeat<byte[]>([255, 0, 0], 100).SelectMany(p => p)];
        byte[] green = [.. Enumerable.Repeat<byte[]>([0, 128, 0], 100).SelectMany(p => p)];
        byte[] white = [.. Enumerable.Repeat<byte>(255, 300)];
        byte[] black = new byte[300];

        Assert.Equal(0, ColorHistogram.Distance(ColorHistogram.Of(red), ColorHistogram.Of(red)));
        Assert.Equal(1, ColorHistogram.Distance(ColorHistogram.Of(white), ColorHistogram.Of(black)));
        Assert.Equal(2 / 3.0, ColorHistogram.Distance(ColorHistogram.Of(red), ColorHistogram.Of(green)), 12); // R and G move, B stays
    }

    [Fact]
    public void Scenes_from_cuts_cover_the_video_in_order_and_ignore_cuts_outside_it()
    {
        var scenes = SceneDetector.FromCuts([5.0, 2.0, 0.0, 12.0], duration: 10);

        Assert.Equal([new Scene(0, 0, 2), new Scene(1, 2, 5), new Scene(2, 5, 10)], scenes);
        Assert.Equal(0, Scene.IndexAt(scenes, 0));
        Assert.Equal(0, Scene.IndexAt(scenes, 1.999));
        Assert.Equal(1, Scene.IndexAt(scenes, 2));
        Assert.Equal(2, Scene.IndexAt(scenes, 11));
    }
}
