using System.Globalization;
using System.Text.Json;
using Avocado.Common.Files;
using Avocado.Common.Progress;
using Avocado.Media;

namespace Avocado.Cli.Commands;

/// <summary><c>avocado video probe|frames</c>: what a video holds, and frames sampled from it as PNG files.</summary>
public static class VideoCommands
{
    public const int DefaultFrames = 32, DefaultMaxSide = 512;
    const string FramesJson = "frames.json";

    static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    public static async Task<int> ProbeAsync(CommandArgs a)
    {
        var path = a.Positional(0, "video file");
        bool json = a.Flag("json");
        using var ctrlC = CtrlC.Listen("[video] interrupted");
        VideoProbe probe;
        IReadOnlyList<Scene> scenes;
        try { (probe, scenes) = await ProbeAndDetectAsync(path, ctrlC.Token); }
        catch (OperationCanceledException) when (ctrlC.Pressed) { return CtrlC.ExitCode; }
        if (json)
        {
            Console.WriteLine(JsonSerializer.Serialize(new
            {
                duration = probe.DurationSeconds,
                fps = probe.Fps,
                width = probe.Width,
                height = probe.Height,
                frames = probe.FrameCount,
                codec = probe.Codec,
                scenes = scenes.Select(s => new { start = s.Start, end = s.End }),
            }, Json));
            return 0;
        }
        Console.WriteLine($"{path}: {probe.Codec} {probe.Width}×{probe.Height}, {probe.Fps:0.###} fps, {probe.DurationSeconds:0.###} s, " +
                          $"{probe.FrameCount:N0} frames{(probe.FrameCountIsExact ? "" : " (estimated)")}{(probe.HasAudio ? ", with audio" : "")}");
        Console.WriteLine($"{scenes.Count} scene{(scenes.Count == 1 ? "" : "s")}:");
        foreach (var s in scenes) Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {s.Index,3}  {s.Start,9:0.000} – {s.End,9:0.000} s"));
        return 0;
    }

    public static async Task<int> FramesAsync(CommandArgs a)
    {
        var path = a.Positional(0, "video file");
        var sampler = SamplingRequest.ParseKind(a.Option("sampler") ?? "uniform");
        int frames = a.Int("frames") ?? DefaultFrames;
        double? fps = a.Double("fps");
        int maxSide = a.Int("max-side") ?? DefaultMaxSide;
        var outDir = a.Required("out");
        if (frames < 1) throw new UsageException($"--frames must be at least 1, got {frames}");
        if (fps is { } f && f <= 0) throw new UsageException($"--fps must be positive, got {f}");
        if (fps is not null && sampler != SamplerKind.Fps) throw new UsageException("--fps applies to --sampler fps only");
        if (maxSide < 2) throw new UsageException($"--max-side must be at least 2, got {maxSide}");
        PrepareOutput(outDir);

        using var ctrlC = CtrlC.Listen("[video] interrupted; the frames written so far stay, frames.json is not written");
        // Every sampler's frames carry their scene, so the scenes are detected first whatever the sampler.
        var request = new SamplingRequest { Sampler = sampler, MaxFrames = frames, Fps = fps, Size = FrameSize.Fit(maxSide) };
        var written = new List<object>();
        IReadOnlyList<Scene> scenes;
        try
        {
            (_, scenes) = await ProbeAndDetectAsync(path, ctrlC.Token);
            await foreach (var sample in new VideoSampler().SampleAsync(path, request, scenes, ctrlC.Token))
            {
                var file = $"frame_{sample.Index:D4}.png";
                PngFile.Write(Path.Combine(outDir, file), sample.Frame);
                written.Add(new { index = sample.Index, timestamp = sample.Timestamp, scene = sample.Scene, file });
            }
        }
        catch (OperationCanceledException) when (ctrlC.Pressed) { return CtrlC.ExitCode; }
        AtomicFile.WriteAllText(Path.Combine(outDir, FramesJson), JsonSerializer.Serialize(written, Json) + "\n");
        Console.WriteLine($"wrote {written.Count} frames ({sampler.ToString().ToLowerInvariant()} sampler, {scenes.Count} scene{(scenes.Count == 1 ? "" : "s")}) " +
                          $"and {FramesJson} to {outDir}");
        return 0;
    }

    /// <summary>Probes, then detects scenes with a progress line on a terminal (detection decodes the whole video).</summary>
    static async Task<(VideoProbe Probe, IReadOnlyList<Scene> Scenes)> ProbeAndDetectAsync(string path, CancellationToken ct)
    {
        var reader = new VideoReader();
        var probe = await reader.ProbeAsync(path, ct);
        probe.RequireVideo(reader.Limits);
        var started = TimeProvider.System.GetTimestamp();
        var progress = Console.IsErrorRedirected ? null : new Progress<double>(seconds =>
        {
            var elapsed = TimeProvider.System.GetElapsedTime(started);
            Console.Error.Write($"\r[video] finding scenes: {seconds:0} of {probe.DurationSeconds:0} s ({ProgressText.Duration(elapsed)})" +
                                ProgressText.EtaSuffix(elapsed, (long)seconds, (long)probe.DurationSeconds) + "   ");
        });
        var scenes = await new SceneDetector(reader.Limits).DetectAsync(probe, progress, ct);
        if (progress is not null) Console.Error.WriteLine();
        return (probe, scenes);
    }

    /// <summary>--out may be new, empty, or hold an earlier run's frames (replaced); anything else is refused rather
    /// than mixed with or deleted.</summary>
    static void PrepareOutput(string outDir)
    {
        if (File.Exists(outDir)) throw new IOException($"--out {outDir} is a file; give a directory");
        if (Directory.Exists(outDir))
        {
            var entries = Directory.EnumerateFileSystemEntries(outDir).Select(Path.GetFileName).ToList();
            var foreign = entries.Where(n => n != FramesJson && !(n!.StartsWith("frame_", StringComparison.Ordinal) && n.EndsWith(".png", StringComparison.Ordinal))).ToList();
            if (foreign.Count > 0)
                throw new IOException($"--out {outDir} holds other files ({string.Join(", ", foreign.Take(3))}{(foreign.Count > 3 ? ", …" : "")}); give a new or empty directory");
            foreach (var name in entries) File.Delete(Path.Combine(outDir, name!));
        }
        Directory.CreateDirectory(outDir);
    }
}
