namespace Avocado.Data.Tests.Prompts;

/// <summary>A fresh directory of prompt files per test, removed afterwards.</summary>
internal sealed class PromptFiles : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("avocado-prompts-").FullName;

    /// <summary>Writes the lines (joined by \n) to a file of that name and returns its path.</summary>
    public string Write(string name, params string[] lines)
    {
        var path = Path.Combine(_directory, name);
        File.WriteAllText(path, string.Join("\n", lines) + "\n");
        return path;
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
