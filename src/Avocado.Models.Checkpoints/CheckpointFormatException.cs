namespace Avocado.Models.Checkpoints;

/// <summary>
/// A checkpoint file that does not follow the safetensors layout (or an index that does not match its shards).
/// The message always starts with the file, then the tensor where one is at fault, so a bad shard among many is found at once.
/// </summary>
public sealed class CheckpointFormatException : Exception
{
    public CheckpointFormatException(string filePath, string problem, string? tensorName = null, Exception? innerException = null)
        : base(Compose(filePath, problem, tensorName), innerException)
    {
        FilePath = filePath;
        TensorName = tensorName;
    }

    public string FilePath { get; }

    public string? TensorName { get; }

    private static string Compose(string filePath, string problem, string? tensorName) =>
        tensorName is null ? $"{filePath}: {problem}" : $"{filePath}: tensor '{tensorName}': {problem}";
}
