namespace Avocado.Models.Checkpoints;

/// <summary>
/// A file written under a temporary name beside its final one and renamed into place on <see cref="Commit"/>,
/// so a crash or error mid-write leaves the previous file (or none), never a torn one. Disposing an
/// uncommitted file deletes it.
/// </summary>
internal sealed class StagedFile : IDisposable
{
    private string? _tempPath;

    private StagedFile(string finalPath, string tempPath)
    {
        FinalPath = finalPath;
        _tempPath = tempPath;
    }

    public string FinalPath { get; }

    public static StagedFile Write(string finalPath, long expectedLength, Action<Stream> write)
    {
        // Hidden and not ending in .safetensors, so nothing mistakes a leftover from a killed process for a checkpoint.
        var tempPath = Path.Combine(Path.GetDirectoryName(finalPath)!, $".{Path.GetFileName(finalPath)}.{Guid.NewGuid():N}.tmp");
        var staged = new StagedFile(finalPath, tempPath);
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
            using var stream = new FileStream(tempPath, options);
            write(stream);
            // On disk before the rename, or a crash soon after it could leave the new name on an incomplete file.
            stream.Flush(flushToDisk: true);
            return staged;
        }
        catch
        {
            staged.Dispose();
            throw;
        }
    }

    public void Commit()
    {
        var tempPath = _tempPath ?? throw new InvalidOperationException($"{FinalPath} is already committed");
        File.Move(tempPath, FinalPath, overwrite: true);
        _tempPath = null;
    }

    public void Dispose()
    {
        if (_tempPath is not null)
        {
            File.Delete(_tempPath);
            _tempPath = null;
        }
    }
}
