using Avocado.Common.Files;
using System.Runtime.InteropServices;
using System.Threading.Channels;
using Microsoft.Win32.SafeHandles;

namespace Avocado.Serving.Billing;

/// <summary>A caller waiting for its committed write to reach stable storage.</summary>
internal interface IDurableWaiter
{
    void Succeed();
    void Fail(Exception e);
}

/// <summary>
/// Makes SQLite commits durable off the writer's path. The writer commits with synchronous=NORMAL (the WAL is
/// written, not synced) and goes on with the next group while this loop fsyncs the WAL file and only then answers
/// the callers that need durability: one fsync covers every commit written before it (the WAL is replayed in
/// order, so a later commit never survives a power loss without the earlier ones), and writers never wait for the
/// disk. This is SQLite's own synchronous=FULL guarantee for those callers — committed and synced before they hear
/// of it — with the fsync pipelined instead of inside the write lock.
/// <para>The WAL file keeps its inode while any connection to the database is open (SQLite deletes it only when the
/// last one closes, after checkpointing it into the database file and syncing that), so one handle serves until the
/// writer connection is replaced: <see cref="WriterReopened"/> makes the next sync open the file again.</para>
/// </summary>
internal sealed class WalSync : IAsyncDisposable
{
    private readonly string _walPath;
    // Runs on the thread pool, not a thread of its own: the writer hands over and goes idle, and the same OS thread
    // usually picks the sync up (and the callers' continuations after it) without waking another.
    private readonly Channel<List<IDurableWaiter>> _queue = Channel.CreateUnbounded<List<IDurableWaiter>>(
        new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
    private readonly Task _loop;
    private long _generation, _handleGeneration = -1; // writer connections opened so far / the one the handle belongs to
    private SafeFileHandle? _wal;                      // used by the sync loop only
    private long _syncs;
    private IOException? _failure; // set once, by the sync loop: a failed fsync ends all writing

    public WalSync(string databasePath)
    {
        _walPath = databasePath + "-wal";
        _loop = Task.Run(RunAsync);
    }

    /// <summary>Why writes are refused: a WAL fsync failed (null while all is well).</summary>
    public IOException? Failure => Volatile.Read(ref _failure);

    /// <summary>fsync calls made so far (each may have covered many commits).</summary>
    public long Syncs => Interlocked.Read(ref _syncs);

    /// <summary>The writer opened a new connection: the WAL may be a new file since the handle was opened.</summary>
    public void WriterReopened() => Interlocked.Increment(ref _generation);

    /// <summary>Answers <paramref name="waiters"/> once everything committed so far is on stable storage.</summary>
    public void AfterNextSync(List<IDurableWaiter> waiters)
    {
        if (!_queue.Writer.TryWrite(waiters)) throw new ObjectDisposedException(nameof(WalSync));
    }

    private async Task RunAsync()
    {
        var batch = new List<IDurableWaiter>();
        while (await _queue.Reader.WaitToReadAsync())
        {
            while (_queue.Reader.TryRead(out var waiters)) batch.AddRange(waiters);
            if (_failure is null)
            {
                try
                {
                    Sync();
                }
                catch (Exception e)
                {
                    // The writes are committed (visible, and a process crash would not lose them) but the disk did not
                    // confirm them, and after a failed fsync the kernel may have dropped the pages. As PostgreSQL does,
                    // stop: a caller told "failed" that retried a credit grant would count it twice, so every later
                    // write fails too until the gateway is restarted (SQLite then recovers the WAL as it is on disk).
                    Volatile.Write(ref _failure, new IOException(
                        $"{_walPath}: the disk failed to confirm the billing database's last writes (fsync: {e.Message}). They are " +
                        "committed: do not repeat them. Billing writes are refused until the process is restarted; check the disk.", e));
                }
            }
            foreach (var waiter in batch)
            {
                if (_failure is null) waiter.Succeed();
                else waiter.Fail(_failure);
            }
            batch.Clear();
        }
    }

    /// <summary>Tests only: runs where the fsync does, so a failing disk can be played.</summary>
    internal Action? BeforeSync { get; set; }

    private void Sync()
    {
        BeforeSync?.Invoke();
        long generation = Interlocked.Read(ref _generation);
        if (_wal is null || _handleGeneration != generation)
        {
            _wal?.Dispose();
            _wal = File.OpenHandle(_walPath, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);
            _handleGeneration = generation;
            // A WAL file created since the last sync is durable only once its directory entry is.
            Durable.SyncDirectory(Path.GetDirectoryName(Path.GetFullPath(_walPath))!);
        }
        if (OperatingSystem.IsLinux())
        {
            // fdatasync, as SQLite itself syncs its WAL: the file is rewritten in place, so its size rarely changes
            // and the inode (mtime) need not be written with every sync.
            if (Posix.fdatasync((int)_wal.DangerousGetHandle()) != 0)
                throw new IOException($"fdatasync failed (errno {Marshal.GetLastPInvokeError()})");
        }
        else
        {
            RandomAccess.FlushToDisk(_wal);
        }
        Interlocked.Increment(ref _syncs);
    }

    /// <summary>Stops after answering every waiter already handed over.</summary>
    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _loop;
        _wal?.Dispose();
    }

    private static class Posix
    {
        [DllImport("libc", SetLastError = true)]
        public static extern int fdatasync(int fd);
    }
}
