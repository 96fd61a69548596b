using System.ComponentModel;
using System.Diagnostics;
using System.Threading.Channels;

namespace Avocado.Media.Ffmpeg;

/// <summary>One running ffmpeg or ffprobe. Stdout is read by the caller (raw frames or JSON); stderr is drained all the
/// time by a pump of its own, or ffmpeg blocks once the pipe buffer (64 KiB) fills. The pump hands <c>showinfo</c>
/// timestamps to the reader in frame order and keeps the last diagnostics for error messages. A watchdog kills the
/// process when it produces nothing for the timeout; cancellation and disposal kill it too, so no decoder outlives its
/// reader and none hangs forever.</summary>
internal sealed class FfmpegProcess : IAsyncDisposable
{
    const int DiagnosticLines = 40;

    readonly Process _process;
    readonly string _mediaPath;
    readonly TimeSpan _timeout;
    readonly CancellationTokenSource _watchdog;
    readonly CancellationTokenRegistration _killOnStall, _killOnCancel;
    readonly Channel<double> _frameTimes = Channel.CreateUnbounded<double>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
    readonly Queue<string> _diagnostics = new();
    readonly Task _stderrPump;
    volatile bool _stalled, _killedByUs;
    int _damagedFrames;

    FfmpegProcess(Process process, string mediaPath, TimeSpan timeout, CancellationToken ct)
    {
        _process = process;
        _mediaPath = mediaPath;
        _timeout = timeout;
        _stderrPump = Task.Run(PumpStderrAsync, CancellationToken.None);
        _watchdog = new CancellationTokenSource(timeout);
        _killOnStall = _watchdog.Token.Register(() => { _stalled = true; Kill(); });
        _killOnCancel = ct.Register(Kill);
    }

    /// <summary>Starts <paramref name="tool"/> (ffmpeg or ffprobe) on <paramref name="mediaPath"/>; it is killed when it
    /// goes <paramref name="timeout"/> without <see cref="KeepAlive"/> or when <paramref name="ct"/> is cancelled.</summary>
    public static FfmpegProcess Start(string tool, IEnumerable<string> arguments, string mediaPath, TimeSpan timeout, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        var psi = new ProcessStartInfo(FfmpegTools.Resolve(tool))
        {
            RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false,
        };
        foreach (var a in arguments) psi.ArgumentList.Add(a);
        Process process;
        try { process = Process.Start(psi) ?? throw new MediaException(mediaPath, $"{tool} did not start"); }
        catch (Win32Exception e)
        {
            throw new MediaException(mediaPath, $"{tool} could not be started ({e.Message}): install ffmpeg (scripts/setup does, or apt-get install ffmpeg) " +
                                                $"or point ${FfmpegTools.EnvironmentVariable(tool)} at it", e);
        }
        process.StandardInput.Close(); // ffmpeg reads no commands from us (and -nostdin says so too)
        return new FfmpegProcess(process, mediaPath, timeout, ct);
    }

    public Stream Stdout => _process.StandardOutput.BaseStream;

    public int ProcessId => _process.Id;

    /// <summary>Output arrived: the watchdog starts counting again.</summary>
    public void KeepAlive() => _watchdog.CancelAfter(_timeout);

    /// <summary>Fills <paramref name="buffer"/> with exactly <paramref name="length"/> bytes of stdout; false when stdout
    /// ended cleanly before the first byte (no more frames), an error when it ended in the middle.</summary>
    public async ValueTask<bool> ReadExactlyAsync(byte[] buffer, int length, CancellationToken ct)
    {
        int filled = 0;
        while (filled < length)
        {
            int n = await Stdout.ReadAsync(buffer.AsMemory(filled, length - filled), ct);
            if (n == 0) break;
            filled += n;
            KeepAlive();
        }
        if (filled == length) return true;
        ct.ThrowIfCancellationRequested();
        ThrowIfStalled();
        if (filled == 0) return false;
        await WaitForExitAsync(ct, checkExitCode: true);
        throw new MediaException(_mediaPath, $"ffmpeg's output ended in the middle of a frame ({filled:N0} of {length:N0} bytes){Detail()}");
    }

    /// <summary>The presentation time of the next frame on stdout, from <c>showinfo</c> on stderr. ffmpeg logs a frame
    /// there before it encodes and writes it, so once a frame was read its time is on the way.</summary>
    public async ValueTask<double> NextFrameTimeAsync(CancellationToken ct)
    {
        if (await _frameTimes.Reader.WaitToReadAsync(ct) && _frameTimes.Reader.TryRead(out var t)) return t;
        ThrowIfStalled();
        throw new MediaException(_mediaPath, $"ffmpeg wrote a frame without its timestamp (showinfo){Detail()}");
    }

    /// <summary>Waits for the process to end and for stderr to be drained; a failure exit becomes a
    /// <see cref="MediaException"/> with ffmpeg's own words.</summary>
    public async Task WaitForExitAsync(CancellationToken ct, bool checkExitCode)
    {
        await _process.WaitForExitAsync(ct);
        await _stderrPump;
        ThrowIfStalled();
        if (checkExitCode && _process.ExitCode != 0 && !_killedByUs)
            throw new MediaException(_mediaPath, FfmpegErrors.Explain(Diagnostics, _process.ExitCode));
    }

    /// <summary>Frames the decoder flagged as damaged so far ("corrupt decoded frame"). ffmpeg logs this before the
    /// frame reaches the filters, so by the time a frame's timestamp has arrived its own flag has been counted.</summary>
    public int DamagedFrames => Volatile.Read(ref _damagedFrames);

    /// <summary>The last lines ffmpeg logged at warning level or above (level tag removed), oldest first.</summary>
    public IReadOnlyList<string> Diagnostics
    {
        get { lock (_diagnostics) return [.. _diagnostics]; }
    }

    /// <summary>" (ffmpeg: …)" with the most telling line logged, or nothing.</summary>
    public string Detail() => FfmpegErrors.Summary(Diagnostics) is { } s ? $" (ffmpeg: {s})" : "";

    void ThrowIfStalled()
    {
        if (_stalled)
            throw new MediaException(_mediaPath, $"ffmpeg produced nothing for {_timeout.TotalSeconds:0.#} s (MediaLimits) and was killed{Detail()}");
    }

    async Task PumpStderrAsync()
    {
        var showinfo = new ShowinfoParser();
        try
        {
            while (await _process.StandardError.ReadLineAsync() is { } line)
            {
                if (showinfo.TryParse(line, out var seconds))
                {
                    if (seconds is { } t) _frameTimes.Writer.TryWrite(t);
                    continue;
                }
                if (FfmpegErrors.LevelOf(line) is not { } message) continue;
                if (FfmpegErrors.IsDamagedFrame(message)) Interlocked.Increment(ref _damagedFrames);
                lock (_diagnostics)
                    {
                        _diagnostics.Enqueue(message);
                        if (_diagnostics.Count > DiagnosticLines) _diagnostics.Dequeue();
                    }
            }
        }
        catch (IOException) { } // the process was killed mid-line
        catch (ObjectDisposedException) { }
        finally { _frameTimes.Writer.TryComplete(); }
    }

    void Kill()
    {
        try
        {
            if (_process.HasExited) return;
            _killedByUs = true;
            _process.Kill();
        }
        catch (InvalidOperationException) { } // exited meanwhile
        catch (Win32Exception) { }
    }

    public async ValueTask DisposeAsync()
    {
        Kill();
        try
        {
            await _process.WaitForExitAsync(CancellationToken.None);
            await _stderrPump;
        }
        catch (InvalidOperationException) { }
        await _killOnStall.DisposeAsync();
        await _killOnCancel.DisposeAsync();
        _watchdog.Dispose();
        _process.Dispose();
    }
}
