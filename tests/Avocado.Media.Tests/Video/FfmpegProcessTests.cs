using System.Diagnostics;
using Avocado.Media.Ffmpeg;

namespace Avocado.Media.Tests.Video;

/// <summary>No ffmpeg outlives its reader: disposal, cancellation and the stall watchdog kill it.</summary>
public sealed class FfmpegProcessTests
{
    readonly MediaFiles files = MediaFiles.Shared;

    static string[] DecodeArgs(string input) =>
        [.. FfmpegTools.CommonArguments, "-i", input, "-vf", "showinfo=checksum=0", "-fps_mode", "passthrough", "-f", "rawvideo", "-pix_fmt", "rgb24", "pipe:1"];

    [Fact]
    public async Task Disposing_after_one_frame_kills_the_decoder()
    {
        var ffmpeg = FfmpegProcess.Start(FfmpegTools.Ffmpeg, DecodeArgs(files.Cuts), files.Cuts, TimeSpan.FromMinutes(1), CancellationToken.None);
        var frame = new byte[320 * 240 * 3];
        Assert.True(await ffmpeg.ReadExactlyAsync(frame, frame.Length, CancellationToken.None));
        Assert.Equal(0.0, await ffmpeg.NextFrameTimeAsync(CancellationToken.None));
        int pid = ffmpeg.ProcessId;

        await ffmpeg.DisposeAsync();

        Assert.False(IsRunning(pid), $"ffmpeg (pid {pid}) still runs after its reader was disposed");
    }

    [Fact]
    public async Task Cancelling_a_frame_stream_kills_the_decoder_and_throws_cancelled()
    {
        using var cts = new CancellationTokenSource();
        var frames = new List<VideoFrame>();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var f in new VideoReader().ReadFramesAsync(files.Cuts, new FrameRequest { Size = FrameSize.Fit(32) }, cts.Token))
            {
                frames.Add(f);
                if (frames.Count == 5) cts.Cancel();
            }
        });
        Assert.Equal(5, frames.Count);
    }

    [Fact]
    public async Task A_decoder_that_produces_nothing_is_killed_after_the_stall_timeout()
    {
        // ffmpeg opening a FIFO that nobody writes blocks forever: the watchdog is all that ends it.
        using var dir = new TempDir();
        var fifo = dir.File("never-written.fifo");
        var (code, _, stderr) = ExternalTools.Run("mkfifo", [fifo]);
        Assert.True(code == 0, stderr);
        var ffmpeg = FfmpegProcess.Start(FfmpegTools.Ffmpeg, DecodeArgs(fifo), fifo, TimeSpan.FromSeconds(1), CancellationToken.None);
        int pid = ffmpeg.ProcessId;

        var e = await Assert.ThrowsAsync<MediaException>(async () => await ffmpeg.ReadExactlyAsync(new byte[3], 3, CancellationToken.None));
        await ffmpeg.DisposeAsync();

        Assert.Equal($"{fifo}: ffmpeg produced nothing for 1 s (MediaLimits) and was killed", e.Message);
        Assert.False(IsRunning(pid));
    }

    static bool IsRunning(int pid)
    {
        try
        {
            using var p = Process.GetProcessById(pid);
            return !p.HasExited;
        }
        catch (ArgumentException) { return false; }
    }
}

/// <summary>$AVOCADO_FFMPEG is read per process start, so this test sets it for the whole process and runs alone.</summary>
[Collection(ProcessWideCollection.Name)]
public sealed class MissingFfmpegTests
{
    [Fact]
    public void A_missing_ffmpeg_is_a_media_error_that_says_how_to_install_it()
    {
        var saved = Environment.GetEnvironmentVariable("AVOCADO_FFMPEG");
        Environment.SetEnvironmentVariable("AVOCADO_FFMPEG", "/nonexistent/ffmpeg");
        try
        {
            var e = Assert.Throws<MediaException>(() =>
                FfmpegProcess.Start(FfmpegTools.Ffmpeg, ["-version"], "clip.mp4", TimeSpan.FromSeconds(5), CancellationToken.None));
            Assert.StartsWith("clip.mp4: ffmpeg could not be started", e.Message);
            Assert.EndsWith("install ffmpeg (scripts/setup does, or apt-get install ffmpeg) or point $AVOCADO_FFMPEG at it", e.Message);
        }
        finally { Environment.SetEnvironmentVariable("AVOCADO_FFMPEG", saved); }
    }
}
