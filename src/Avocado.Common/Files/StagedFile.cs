namespace Avocado.Common.Files;

/// <summary>
/// A file written under a temporary name beside its final one and renamed into place on <see cref="Commit"/>, so a
/// crash or error mid-write leaves the previous file (or none), never a torn one. The temporary name is hidden and
/// unique per writer (<c>.NAME.GUID.tmp</c>), so concurrent writers never share one and nothing mistakes a leftover
/// for the real file. Data is on disk before the rename and the rename is on disk before <see cref="Commit"/> returns
/// (the directory is synced): otherwise a power loss soon after could leave the new name on an incomplete file, or
/// the old file back. Disposing an uncommitted file deletes it.
/// </summary>
public sealed class StagedFile : IDisposable
{
    string? tempPath;

    StagedFile(string finalPath, string tempPath)
    {
        FinalPath = finalPath;
        this.tempPath = tempPath;
    }

    public string FinalPath { get; }

    /// <summary>Writes the staged file (not yet visible under <paramref name="finalPath"/>).</summary>
    /// <param name="expectedLength">Bytes to preallocate (0: unknown).</param>
    public static StagedFile Write(string finalPath, long expectedLength, Action<Stream> write)
    {
        finalPath = Path.GetFullPath(finalPath);
        var staged = new StagedFile(finalPath, TemporaryPathFor(finalPath));
        try
        {
            var options = new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.Write,
                Share = FileShare.None,
                PreallocationSize = expectedLength,
                BufferSize = 1 << 16,
            };
            using var stream = new FileStream(staged.tempPath!, options);
            write(stream);
            stream.Flush(flushToDisk: true);
            return staged;
        }
        catch
        {
            staged.Dispose();
            throw;
        }
    }

    /// <summary>Renames the file into place (replacing any file there) and syncs its directory.</summary>
    public void Commit()
    {
        var path = tempPath ?? throw new InvalidOperationException($"{FinalPath} is already committed");
        File.Move(path, FinalPath, overwrite: true);
        tempPath = null;
        Durable.SyncDirectory(Path.GetDirectoryName(FinalPath)!);
    }

    /// <summary>The hidden, writer-unique temporary name beside <paramref name="finalPath"/>.</summary>
    public static string TemporaryPathFor(string finalPath) =>
        Path.Combine(Path.GetDirectoryName(Path.GetFullPath(finalPath))!, $".{Path.GetFileName(finalPath)}.{Guid.NewGuid():N}.tmp");

    /// <summary>Whether a file name is a staged file's temporary name (a leftover of a killed writer).</summary>
    public static bool IsTemporaryName(string fileName) => fileName.StartsWith('.') && fileName.EndsWith(".tmp", StringComparison.Ordinal);

    public void Dispose()
    {
        if (tempPath is null) return;
        try { File.Delete(tempPath); }
        catch (IOException) { }
        tempPath = null;
    }
}
