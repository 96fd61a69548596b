// What decoding choices in Avocado.Media cost, measured on two generated videos (cached in .build/bench-media):
//   light: 10 min of testsrc2, 1280×720, 30 fps, x264 ultrafast, 1 Mbit/s, keyframe every 60 frames (the memory test's);
//   heavy: 1 min of testsrc2 + temporal noise, 1920×1080, 30 fps, x264 veryfast crf 23 (≈ 56 Mbit/s), keyframe every 250.
// Reports per video: ffmpeg's bare decode; scene analysis; the cost of one seek (a new ffmpeg + an input seek) and
// of decoding through one second, hence the gap from which seeking pays (FrameGrabber.RunGap); and, on the light
// video, the peak resident memory of the scene sampler (64 frames at full size). Numbers go to docs/BENCHMARKS.md.
// Usage: dotnet run -c Release --project bench/Avocado.Bench.Media -- [--only light|heavy]
using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Avocado.Media;

string? only = args.Length == 2 && args[0] == "--only" ? args[1] : null;
if (args.Length != 0 && only is null) { Console.Error.WriteLine("usage: [--only light|heavy]"); return 2; }
var cache = Path.Combine(RepositoryRoot(), ".build", "bench-media");
Directory.CreateDirectory(cache);

var videos = new (string Name, string Source, string Encode, int Loops)[]
{
    ("light", "testsrc2=size=1280x720:rate=30", "-preset ultrafast -tune zerolatency -b:v 1M -g 60", 60),
    ("heavy", "testsrc2=size=1920x1080:rate=30,noise=alls=12:allf=t", "-preset veryfast -crf 23", 6),
};
Console.WriteLine($"load average at start: {File.ReadAllText("/proc/loadavg").Split(' ')[0]}");
Console.WriteLine("| video | duration | ffmpeg decode alone | scene analysis | one seek | decoding through, per second of video | seeking pays from a gap of |");
Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|");
foreach (var (name, source, encode, loops) in videos.Where(v => only is null || v.Name == only))
{
    var path = Generate(name, source, encode, loops);
    var probe = await new VideoReader().ProbeAsync(path);
    var decode = Time(() => Run("ffmpeg", "-v", "error", "-nostdin", "-i", path, "-f", "null", "-"));
    var scenes = await TimeAsync(() => new SceneDetector().DetectAsync(path));

    // 8 targets at segment centres: each lands mid-GOP on average, as sampled times do.
    double[] targets = [.. Enumerable.Range(0, 8).Select(k => (k + 0.5) * probe.DurationSeconds / 8)];
    var (w, h) = FrameSize.Default.Resolve(probe.Width, probe.Height);
    var seeking = await TimeAsync(() => CountAsync(FrameGrabber.GrabAsync(probe, targets, w, h, MediaLimits.Default, default, runGap: 0)));
    var through = await TimeAsync(() => CountAsync(FrameGrabber.GrabAsync(probe, targets, w, h, MediaLimits.Default, default, runGap: 1e9)));
    double perSeek = seeking.TotalSeconds / targets.Length;
    double perSecond = through.TotalSeconds / (targets[^1] - targets[0]);
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"| {name} {probe.Width}×{probe.Height} | {probe.DurationSeconds:0} s | {decode.TotalSeconds:0.0} s | {scenes.TotalSeconds:0.0} s | {perSeek:0.00} s | {perSecond:0.000} s | {perSeek / perSecond:0.0} s |"));

    if (name == "light")
    {
        GC.Collect();
        File.WriteAllText("/proc/self/clear_refs", "5"); // resets VmHWM to the current RSS (Linux ≥ 4.0)
        long before = Status("VmRSS");
        var request = new SamplingRequest { Sampler = SamplerKind.Scene, MaxFrames = 64, Size = FrameSize.Source };
        long bytes = 0;
        var sampling = await TimeAsync(async () => { await foreach (var s in new VideoSampler().SampleAsync(path, request)) bytes += s.Frame.Rgb.Length; return 0; });
        Console.WriteLine($"  scene sampler, 64 frames of {probe.Width}×{probe.Height} ({bytes >> 20} MB of pixels, streamed): {sampling.TotalSeconds:0.0} s, " +
                          $"RSS before {before >> 20} MB, peak {Status("VmHWM") >> 20} MB");
    }
}
return 0;

string Generate(string name, string source, string encode, int loops)
{
    var video = Path.Combine(cache, $"{name}.mp4");
    if (File.Exists(video)) return video;
    var clip = Path.Combine(cache, $"{name}-clip.mp4");
    Run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", source, "-t", "10", "-c:v", "libx264", .. encode.Split(' '), "-pix_fmt", "yuv420p", clip]);
    Run("ffmpeg", "-v", "error", "-y", "-stream_loop", (loops - 1).ToString(CultureInfo.InvariantCulture), "-i", clip, "-c", "copy", video + ".tmp.mp4");
    File.Move(video + ".tmp.mp4", video);
    return video;
}

static async Task<int> CountAsync<T>(IAsyncEnumerable<T> items)
{
    int n = 0;
    await foreach (var _ in items) n++;
    return n;
}

static TimeSpan Time(Action action)
{
    var sw = Stopwatch.StartNew();
    action();
    return sw.Elapsed;
}

static async Task<TimeSpan> TimeAsync<T>(Func<Task<T>> action)
{
    var sw = Stopwatch.StartNew();
    await action();
    return sw.Elapsed;
}

static void Run(params string[] command)
{
    var psi = new ProcessStartInfo(command[0]) { RedirectStandardError = true };
    foreach (var a in command.Skip(1)) psi.ArgumentList.Add(a);
    using var p = Process.Start(psi)!;
    var stderr = p.StandardError.ReadToEnd();
    p.WaitForExit();
    if (p.ExitCode != 0) throw new InvalidOperationException($"{string.Join(' ', command)} failed: {stderr}");
}

static long Status(string field) =>
    long.Parse(Regex.Match(File.ReadAllText("/proc/self/status"), field + @":\s+(\d+) kB").Groups[1].Value, CultureInfo.InvariantCulture) * 1024;

static string RepositoryRoot()
{
    for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        if (File.Exists(Path.Combine(dir.FullName, "Avocado.slnx"))) return dir.FullName;
    throw new InvalidOperationException("Avocado.slnx not found above " + AppContext.BaseDirectory);
}
