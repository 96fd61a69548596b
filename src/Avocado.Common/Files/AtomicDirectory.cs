namespace Avocado.Common.Files;

/// <summary>A directory built under a temporary name beside its final one (<c>NAME.tmp-XXXXXXXX</c>) and renamed into
/// place when complete, replacing any directory there: a checkpoint or an exported model is there whole or not at all.</summary>
public static class AtomicDirectory
{
    public const string TemporaryMarker = ".tmp-";

    /// <summary>A fresh temporary directory beside <paramref name="finalPath"/>.</summary>
    public static string Stage(string finalPath)
    {
        var full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(finalPath));
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        var staged = full + TemporaryMarker + Guid.NewGuid().ToString("N")[..8];
        Directory.CreateDirectory(staged);
        return staged;
    }

    /// <summary>Syncs every file in <paramref name="staged"/>, then renames it to <paramref name="finalPath"/> and syncs the parent.</summary>
    public static void Commit(string staged, string finalPath)
    {
        var full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(finalPath));
        foreach (var file in Directory.EnumerateFiles(staged, "*", SearchOption.AllDirectories)) Durable.SyncFile(file);
        Durable.SyncDirectory(staged);
        // Not atomic when a directory is already there (no rename replaces a non-empty directory): a crash between
        // the two steps leaves no directory under the final name, and the staged one, whole, beside it.
        if (Directory.Exists(full)) Directory.Delete(full, recursive: true);
        Directory.Move(staged, full);
        Durable.SyncDirectory(Path.GetDirectoryName(full)!);
    }

    /// <summary>Whether a directory name is a staged directory (a leftover of a killed writer).</summary>
    public static bool IsTemporaryName(string name) => name.Contains(TemporaryMarker, StringComparison.Ordinal);
}
