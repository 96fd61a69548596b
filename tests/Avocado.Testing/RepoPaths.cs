namespace Avocado.Testing;

public static class RepoPaths
{
    /// <summary>The repository root: the first ancestor of the test binaries holding Avocado.slnx.</summary>
    public static string Root
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "Avocado.slnx"))) return dir.FullName;
            throw new InvalidOperationException("repository root (Avocado.slnx) not found above " + AppContext.BaseDirectory);
        }
    }
}
