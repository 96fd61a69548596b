using System.Text.Json;

namespace Avocado.Cli.Tests;

/// <summary><c>avocado video probe|frames</c> as a user runs them: a separate process, its output files and exit code.
/// The video has cuts at 2.0, 5.0 and 7.5 s (testsrc | red | blue | testsrc2, 24 fps, 320×240).</summary>
public sealed class VideoCliTests : IClassFixture<VideoCliTests.CutsVideo>
{
    public sealed class CutsVideo : IDisposable
    {
        readonly TempDir _dir = new("avocado-video-cli-");

        public CutsVideo()
        {
            Path = _dir.File("cuts.mp4");
            var (code, _, stderr) = ExternalTools.Run("ffmpeg", ["-hide_banner", "-nostdin", "-loglevel", "error",
                "-f", "lavfi", "-i", "testsrc=s=320x240:r=24:d=2", "-f", "lavfi", "-i", "color=c=red:s=320x240:r=24:d=3",
                "-f", "lavfi", "-i", "color=c=blue:s=320x240:r=24:d=2.5", "-f", "lavfi", "-i", "testsrc2=s=320x240:r=24:d=2.5",
                "-filter_complex", "[0][1][2][3]concat=n=4:v=1:a=0,format=yuv420p", "-c:v", "libx264", "-preset", "ultrafast", Path]);
            Assert.True(code == 0, $"ffmpeg could not make the test video (is it installed? scripts/setup installs it): {stderr}");
        }

        public string Path { get; }
        public string File(string name) => _dir.File(name);
        public void Dispose() => _dir.Dispose();
    }

    readonly CutsVideo video;

    public VideoCliTests(CutsVideo video) => this.video = video;

    [Fact]
    public void Probe_json_reports_the_stream_and_its_scenes_in_seconds()
    {
        var (code, stdout, stderr) = ExternalTools.RunCli("video", "probe", video.Path, "--json");

        Assert.True(code == 0, stderr);
        using var json = JsonDocument.Parse(stdout);
        var root = json.RootElement;
        Assert.Equal(10.0, root.GetProperty("duration").GetDouble(), 3);
        Assert.Equal(24.0, root.GetProperty("fps").GetDouble(), 6);
        Assert.Equal((320, 240), (root.GetProperty("width").GetInt32(), root.GetProperty("height").GetInt32()));
        Assert.Equal(240, root.GetProperty("frames").GetInt32());
        var scenes = root.GetProperty("scenes").EnumerateArray().Select(s => (s.GetProperty("start").GetDouble(), Math.Round(s.GetProperty("end").GetDouble(), 3))).ToArray();
        Assert.Equal([(0.0, 2.0), (2.0, 5.0), (5.0, 7.5), (7.5, 10.0)], scenes);
    }

    [Fact]
    public void Probe_without_json_prints_a_short_summary()
    {
        var (code, stdout, stderr) = ExternalTools.RunCli("video", "probe", video.Path);

        Assert.True(code == 0, stderr);
        Assert.StartsWith($"{video.Path}: h264 320×240, 24 fps, 10 s, 240 frames", stdout);
        Assert.Contains("4 scenes:", stdout);
        Assert.Contains("  3      7.500 –    10.000 s", stdout);
    }

    [Fact]
    public void Frames_writes_pngs_and_a_frames_json_with_timestamps_scenes_and_relative_files()
    {
        var outDir = video.File("scene-frames");
        var (code, stdout, stderr) = ExternalTools.RunCli("video", "frames", video.Path, "--sampler", "scene", "--frames", "6", "--out", outDir);

        Assert.True(code == 0, stderr);
        Assert.Contains("wrote 6 frames (scene sampler, 4 scenes)", stdout);
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "frames.json")));
        var frames = json.RootElement.EnumerateArray().ToArray();
        Assert.Equal(6, frames.Length);
        Assert.Equal([0, 1, 2, 3, 4, 5], frames.Select(f => f.GetProperty("index").GetInt32()));
        // One frame per scene, the other two to the longest scenes (3 s, then 2.5 s: the earlier of the two ties).
        Assert.Equal([0, 1, 1, 2, 2, 3], frames.Select(f => f.GetProperty("scene").GetInt32()));
        Assert.Equal([1.0, 2.75, 4.25, 5.625, 6.875, 8.75], frames.Select(f => Math.Round(f.GetProperty("timestamp").GetDouble() * 24) / 24).Select(t => Math.Round(t, 3)));
        foreach (var f in frames)
        {
            var file = f.GetProperty("file").GetString()!;
            Assert.False(Path.IsPathRooted(file));
            var png = PngReference.Decode(Path.Combine(outDir, file));
            Assert.Equal((320, 240), (png.Width, png.Height));
        }
        var red = PngReference.Decode(Path.Combine(outDir, frames[1].GetProperty("file").GetString()!)).Pixel(160, 120);
        Assert.True(red.R > 240 && red.G < 15 && red.B < 15, $"scene 1 is red, the frame's centre is {red}");
    }

    [Fact]
    public void Frames_fps_thins_to_the_budget_and_rerunning_replaces_the_earlier_frames()
    {
        var outDir = video.File("fps-frames");
        var first = ExternalTools.RunCli("video", "frames", video.Path, "--sampler", "uniform", "--frames", "8", "--max-side", "64", "--out", outDir);
        Assert.True(first.ExitCode == 0, first.Stderr);

        var (code, _, stderr) = ExternalTools.RunCli("video", "frames", video.Path, "--sampler", "fps", "--fps", "2", "--frames", "4", "--max-side", "64", "--out", outDir);

        Assert.True(code == 0, stderr);
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "frames.json")));
        // 20 times at 2 fps (0.25 … 9.75 s), thinned to 4: 1.25, 3.75, 6.25, 8.75 → the frames on screen then.
        Assert.Equal([1.25, 3.75, 6.25, 8.75], json.RootElement.EnumerateArray().Select(f => Math.Round(f.GetProperty("timestamp").GetDouble(), 3)));
        Assert.Equal(["frame_0000.png", "frame_0001.png", "frame_0002.png", "frame_0003.png", "frames.json"],
            Directory.GetFiles(outDir).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        var png = PngReference.Decode(Path.Combine(outDir, "frame_0000.png"));
        Assert.Equal((64, 48), (png.Width, png.Height));
    }

    [Fact]
    public void A_file_that_is_not_a_video_exits_1_naming_it_and_the_reason()
    {
        var text = video.File("notes.mp4");
        File.WriteAllText(text, "not a video\n");

        var notVideo = ExternalTools.RunCli("video", "probe", text);
        var missing = ExternalTools.RunCli("video", "frames", video.File("missing.mp4"), "--out", video.File("unused"));

        Assert.Equal(1, notVideo.ExitCode);
        Assert.StartsWith($"error: {text}: not a video or image: ffmpeg does not recognise its content", notVideo.Stderr);
        Assert.Equal(1, missing.ExitCode);
        Assert.Equal($"error: {video.File("missing.mp4")}: file not found", missing.Stderr.Trim());
    }

    [Theory]
    [InlineData("--sampler bogus", "--sampler must be one of uniform, fps, scene, got 'bogus'")]
    [InlineData("--sampler uniform --fps 2", "--fps applies to --sampler fps only")]
    [InlineData("--frames 0", "--frames must be at least 1, got 0")]
    public void Usage_mistakes_exit_2_with_a_pointer_to_help(string options, string message)
    {
        var (code, _, stderr) = ExternalTools.RunCli(["video", "frames", video.Path, "--out", video.File("usage"), .. options.Split(' ')]);

        Assert.Equal(2, code);
        Assert.Contains(message, stderr);
        Assert.Contains("run './avocado video frames --help' for usage", stderr);
    }

    [Fact]
    public void An_output_directory_with_other_files_is_refused_untouched()
    {
        var outDir = video.File("occupied");
        Directory.CreateDirectory(outDir);
        File.WriteAllText(Path.Combine(outDir, "notes.txt"), "mine");

        var (code, _, stderr) = ExternalTools.RunCli("video", "frames", video.Path, "--out", outDir);

        Assert.Equal(1, code);
        Assert.Contains($"--out {outDir} holds other files (notes.txt); give a new or empty directory", stderr);
        Assert.Equal(["notes.txt"], Directory.GetFiles(outDir).Select(Path.GetFileName));
    }
}
