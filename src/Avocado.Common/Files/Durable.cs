using System.Runtime.InteropServices;

namespace Avocado.Common.Files;

/// <summary>fsync for files and directories. .NET flushes a file's data (<see cref="FileStream.Flush(bool)"/>) but has
/// no call that makes a rename or a new directory entry durable; on Linux that takes fsync on the directory.</summary>
public static class Durable
{
    public static void SyncFile(string path)
    {
        using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);
        RandomAccess.FlushToDisk(handle);
    }

    public static void SyncDirectory(string directory)
    {
        if (OperatingSystem.IsWindows()) return; // NTFS journals directory entries; there is no directory handle to flush
        int fd = Posix.open(directory, 0 /* O_RDONLY */);
        if (fd < 0) throw new IOException($"{directory}: cannot open the directory to sync it (errno {Marshal.GetLastPInvokeError()})");
        try
        {
            if (Posix.fsync(fd) != 0) throw new IOException($"{directory}: fsync of the directory failed (errno {Marshal.GetLastPInvokeError()})");
        }
        finally
        {
            Posix.close(fd);
        }
    }

    static class Posix
    {
        [DllImport("libc", SetLastError = true)]
        public static extern int open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);

        [DllImport("libc", SetLastError = true)]
        public static extern int fsync(int fd);

        [DllImport("libc")]
        public static extern int close(int fd);
    }
}
