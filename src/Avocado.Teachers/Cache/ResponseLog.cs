using System.Buffers;
using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.Unicode;
using Microsoft.Win32.SafeHandles;

namespace Avocado.Teachers;

/// <summary>
/// The append-only store behind <see cref="ResponseCacheLayout.AppendLog"/>. Each cache instance that writes creates
/// its own pair <c>{root}/log/{utc}-{id}.jsonl</c> (entries, one JSON line each, the same JSON as an entry file) and
/// <c>….index</c> (one line per entry, <c>{key} {offset} {length}\n</c>, appended after the entry), so writers never
/// share a file. Opening reads every index, not the entries. A process killed mid-write leaves an entry without its
/// index line, or an index line without its newline: both are ignored, so the entry is a miss, never half an entry. An
/// entry that is unreadable anyway is a miss to the cache (counted corrupt) and its next write is appended and indexed
/// in its place. No fsync, as for entry files: a power loss costs re-requests, not wrong answers. Thread-safe.
/// </summary>
internal sealed class ResponseLog : IDisposable
{
    public const string DirectoryName = "log";
    const string EntriesExtension = ".jsonl", IndexExtension = ".index";
    const int MaxIndexLine = 64 + 1 + 20 + 1 + 11 + 1; // key, offset (long), length (int), separators, newline

    readonly record struct Location(int File, long Offset, int Length);

    readonly string dir;
    readonly ConcurrentDictionary<string, Location> index = new(StringComparer.Ordinal);
    readonly object gate = new();
    readonly List<string> files = [];                 // entry files, by Location.File
    readonly List<SafeFileHandle?> readers = [];      // opened on first read
    SafeFileHandle? entries, indexWriter;             // this instance's pair, opened on first write
    long entriesLength, indexLength;
    int own = -1;
    bool disposed;

    public ResponseLog(string root)
    {
        dir = Path.Combine(root, DirectoryName);
        if (!Directory.Exists(dir)) return;
        // Name order is write order (UTC stamp first), so a key written again in a later log points at the later entry.
        foreach (var indexPath in Directory.EnumerateFiles(dir, "*" + IndexExtension).Order(StringComparer.Ordinal))
            Load(indexPath);
    }

    /// <summary>Where new entries go (null until the first write).</summary>
    public string? WritingTo { get { lock (gate) return own < 0 ? null : files[own]; } }

    void Load(string indexPath)
    {
        var entriesPath = Path.ChangeExtension(indexPath, EntriesExtension);
        long available;
        string text;
        try
        {
            available = new FileInfo(entriesPath).Length;
            using var stream = new FileStream(indexPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var reader = new StreamReader(stream, Encoding.ASCII);
            text = reader.ReadToEnd();
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return; // removed, or an index whose entries never were written
        }
        int file = files.Count;
        files.Add(entriesPath);
        readers.Add(null);
        // The text after the last newline is a torn line (a writer killed mid-append): never used.
        var lines = text.Split('\n');
        for (int i = 0; i < lines.Length - 1; i++)
        {
            var parts = lines[i].Split(' ');
            if (parts.Length == 3 && parts[0].Length == 64 && parts[0].All(char.IsAsciiHexDigitLower)
                && long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var offset)
                && int.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var length)
                && offset + length <= available)
                index[parts[0]] = new Location(file, offset, length);
        }
    }

    /// <summary>The stored bytes of <paramref name="key"/>'s entry, or null when no log holds it.</summary>
    public byte[]? TryRead(string key)
    {
        if (!index.TryGetValue(key, out var at)) return null;
        var bytes = new byte[at.Length];
        var handle = Reader(at.File);
        int read = 0;
        while (read < bytes.Length)
        {
            int n = RandomAccess.Read(handle, bytes.AsSpan(read), at.Offset + read);
            if (n == 0) return bytes[..read]; // shortened behind our back: reads back as corrupt
            read += n;
        }
        return bytes;
    }

    SafeFileHandle Reader(int file)
    {
        lock (gate)
        {
            ObjectDisposedException.ThrowIf(disposed, this);
            return readers[file] ??= File.OpenHandle(files[file], FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        }
    }

    /// <summary>Appends <paramref name="entry"/> (one line of JSON, no newline) as <paramref name="key"/>'s entry.</summary>
    /// <exception cref="IOException">The log could not be written.</exception>
    public void Append(string key, ReadOnlySpan<byte> entry)
    {
        // The entry and its newline in one write, so a kill cannot leave the entry without its line end.
        var line = ArrayPool<byte>.Shared.Rent(entry.Length + 1);
        try
        {
            entry.CopyTo(line);
            line[entry.Length] = (byte)'\n';
            lock (gate)
            {
                ObjectDisposedException.ThrowIf(disposed, this);
                if (entries is null) Open();
                long offset = entriesLength;
                RandomAccess.Write(entries!, line.AsSpan(0, entry.Length + 1), offset);
                entriesLength += entry.Length + 1;
                // The index line goes after the entry, so an index line always points at a whole entry.
                Span<byte> indexLine = stackalloc byte[MaxIndexLine];
                if (!Utf8.TryWrite(indexLine, CultureInfo.InvariantCulture, $"{key} {offset} {entry.Length}\n", out int written))
                    throw new InvalidOperationException($"an index line is longer than {MaxIndexLine} bytes");
                RandomAccess.Write(indexWriter!, indexLine[..written], indexLength);
                indexLength += written;
                index[key] = new Location(own, offset, entry.Length);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(line);
        }
    }

    void Open()
    {
        Directory.CreateDirectory(dir);
        var name = string.Create(CultureInfo.InvariantCulture, $"{DateTime.UtcNow:yyyyMMdd'T'HHmmssfff'Z'}-{Guid.NewGuid():N}");
        var entriesPath = Path.Combine(dir, name + EntriesExtension);
        var entriesHandle = File.OpenHandle(entriesPath, FileMode.CreateNew, FileAccess.Write, FileShare.Read);
        try
        {
            indexWriter = File.OpenHandle(Path.Combine(dir, name + IndexExtension), FileMode.CreateNew, FileAccess.Write, FileShare.Read);
        }
        catch
        {
            entriesHandle.Dispose(); // the next write tries a new pair
            throw;
        }
        entries = entriesHandle;
        own = files.Count;
        files.Add(entriesPath);
        readers.Add(null);
    }

    public void Dispose()
    {
        lock (gate)
        {
            if (disposed) return;
            disposed = true;
            entries?.Dispose();
            indexWriter?.Dispose();
            foreach (var r in readers) r?.Dispose();
        }
    }
}
