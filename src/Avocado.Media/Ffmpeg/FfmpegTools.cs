namespace Avocado.Media.Ffmpeg;

/// <summary>Where ffmpeg and ffprobe are: $AVOCADO_FFMPEG / $AVOCADO_FFPROBE when set, else found on PATH.</summary>
internal static class FfmpegTools
{
    public const string Ffmpeg = "ffmpeg", Ffprobe = "ffprobe";

    public static string EnvironmentVariable(string tool) => "AVOCADO_" + tool.ToUpperInvariant();

    public static string Resolve(string tool) =>
        Environment.GetEnvironmentVariable(EnvironmentVariable(tool)) is { Length: > 0 } path ? path : tool;

    /// <summary>Arguments every ffmpeg run starts with: no banner, no progress line, no stdin, every line tagged with its
    /// level (errors are told apart from showinfo's info lines by the tag).</summary>
    public static readonly string[] CommonArguments = ["-hide_banner", "-nostdin", "-nostats", "-loglevel", "level+info"];
}
