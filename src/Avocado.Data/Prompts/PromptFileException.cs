namespace Avocado.Data.Prompts;

/// <summary>
/// A prompt file that cannot be read as prompts. The message reads "<c>{file} line {n}: {problem}</c>" and says
/// what to change; <see cref="File"/>, <see cref="Line"/> (1-based; 0 for the file as a whole) and
/// <see cref="Field"/> (when one field is at fault) say where.
/// </summary>
public sealed class PromptFileException : Exception
{
    public PromptFileException(string file, int line, string? field, string problem, Exception? innerException = null)
        : base(line > 0 ? $"{file} line {line}: {problem}" : $"{file}: {problem}", innerException)
    {
        File = file;
        Line = line;
        Field = field;
    }

    public string File { get; }

    public int Line { get; }

    public string? Field { get; }
}
