namespace Avocado.Media;

/// <summary>A video or image that cannot be used: missing, empty, corrupt, truncated, not a video, over a limit, or a
/// decoder that failed or stalled. The message always names the file and the reason (the CLI prints it, exit code 1).</summary>
public sealed class MediaException : Exception
{
    public MediaException(string path, string reason, Exception? inner = null) : base($"{path}: {reason}", inner)
    {
        Path = path;
        Reason = reason;
    }

    /// <summary>The file the error is about, as the caller named it.</summary>
    public string Path { get; }

    /// <summary>What is wrong with it, without the path.</summary>
    public string Reason { get; }
}
