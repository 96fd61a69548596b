using System.Text.RegularExpressions;
using Xunit.Abstractions;

namespace Avocado.Media.Tests.Memory;

/// <summary>A 10-minute 720p video goes through scene analysis (all 18,000 frames) and the scene sampler (64 frames
/// at full size, each written as PNG and dropped, as <c>avocado video frames</c> does) while this process's peak
/// resident memory stays under 300 MB: frames stream, the video never sits in memory. ffmpeg's own memory is its
/// process's, not ours.</summary>
[Collection(ProcessWideCollection.Name)]
public sealed partial class LongVideoMemoryTests(ITestOutputHelper output)
{
    const long Limit = 300L << 20;

    [Fact]
    public async Task Sampling_a_ten_minute_720p_video_keeps_the_peak_under_300_MB()
    {
        using var dir = new TempDir();
        var video = TenMinutes720p(dir);
        var probe = await new VideoReader().ProbeAsync(video);
        Assert.Equal((600.0, 1280, 720, 18_000L), (Math.Round(probe.DurationSeconds, 3), probe.Width, probe.Height, probe.FrameCount));

        GC.Collect();
        long before = ResidentBytes("VmRSS");
        bool reset = ResetPeak();
        var request = new SamplingRequest { Sampler = SamplerKind.Scene, MaxFrames = 64, Size = FrameSize.Source };
        int written = 0;
        await foreach (var sample in new VideoSampler().SampleAsync(video, request))
        {
            PngFile.Write(dir.File($"frame_{sample.Index:D3}.png"), sample.Frame);
            written++;
        }
        long peak = ResidentBytes("VmHWM");

        output.WriteLine($"RSS before {before >> 20} MB, peak during sampling {peak >> 20} MB (peak {(reset ? "reset before sampling" : "since process start")}), {written} frames");
        Assert.Equal(64, written);
        Assert.True(peak < Limit, $"peak resident memory {peak >> 20} MB, limit {Limit >> 20} MB (RSS before: {before >> 20} MB)");
    }

    /// <summary>10 s of testsrc2 encoded once (ultrafast, 1 Mbit/s), then repeated 60 times by stream copy: seconds, not
    /// the minute a 10-minute encode takes.</summary>
    static string TenMinutes720p(TempDir dir)
    {
        var clip = dir.File("clip.mp4");
        Ffmpeg.Run("-f", "lavfi", "-i", "testsrc2=size=1280x720:rate=30", "-t", "10", "-c:v", "libx264", "-preset", "ultrafast", "-tune", "zerolatency",
            "-b:v", "1M", "-g", "60", "-pix_fmt", "yuv420p", clip);
        var video = dir.File("ten-minutes-720p.mp4");
        Ffmpeg.Run("-stream_loop", "59", "-i", clip, "-c", "copy", video);
        return video;
    }

    /// <summary>Writing 5 to /proc/self/clear_refs resets the peak (VmHWM) to the current RSS (Linux ≥ 4.0); where that
    /// is refused the peak since start is measured, which only makes the check stricter.</summary>
    static bool ResetPeak()
    {
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
            return true;
        }
        catch (IOException) { return false; }
        catch (UnauthorizedAccessException) { return false; }
    }

    static long ResidentBytes(string field)
    {
        var m = Regex.Match(File.ReadAllText("/proc/self/status"), field + @":\s+(\d+) kB");
        Assert.True(m.Success, $"/proc/self/status has no {field}");
        return long.Parse(m.Groups[1].Value) * 1024;
    }
}
