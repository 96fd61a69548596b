using System.Text.RegularExpressions;

namespace Avocado.Media.Ffmpeg;

/// <summary>Turns what ffmpeg logged (run with <c>-loglevel level+info</c>, so every line carries its level) into one
/// reason a person can act on.</summary>
internal static partial class FfmpegErrors
{
    [GeneratedRegex(@"^(?:\[[^\]]* @ [^\]]*\] )?\[(?<level>panic|fatal|error|warning)\] (?<message>.*)$")]
    private static partial Regex LeveledLine();

    static readonly string[] Generic = ["Conversion failed!", "Last message repeated"];

    public const string CorruptVideo = "corrupt video: frames could not be decoded";

    /// <summary>ffmpeg's warning for a frame the decoder output with errors concealed (garbage a model must not see).</summary>
    public static bool IsDamagedFrame(string message) => message.Contains("corrupt decoded frame", StringComparison.Ordinal);

    /// <summary>The message of a warning-or-worse line, without context and level; null for other lines.</summary>
    public static string? LevelOf(string line)
    {
        var m = LeveledLine().Match(line);
        return m.Success && m.Groups["message"].Value.Trim() is { Length: > 0 } message ? message : null;
    }

    /// <summary>The most telling line: the last specific one (not "Conversion failed!").</summary>
    public static string? Summary(IReadOnlyList<string> lines) =>
        lines.LastOrDefault(l => !Generic.Any(g => l.StartsWith(g, StringComparison.Ordinal)));

    /// <summary>Why ffmpeg or ffprobe failed, in words, with its own line as evidence.</summary>
    public static string Explain(IReadOnlyList<string> lines, int exitCode)
    {
        bool Has(string s) => lines.Any(l => l.Contains(s, StringComparison.OrdinalIgnoreCase));
        var evidence = Summary(lines) is { } s ? $" (ffmpeg: {s})" : $" (exit code {exitCode}, nothing logged)";
        // A file of another kind named .mp4 makes ffmpeg try the MP4 demuxer anyway and then miss its index: the
        // low-score warning comes first and tells the two apart.
        if (Has("misdetection possible")) return "not a video or image: ffmpeg does not recognise its content" + evidence;
        if (Has("moov atom not found")) return "truncated or unfinished MP4: its index (moov atom) is missing (ffmpeg: moov atom not found)";
        if (Has("No such file or directory")) return "file not found" + evidence;
        if (Has("Permission denied")) return "permission denied" + evidence;
        if (Has("corrupt decoded frame") || Has("Error while decoding") || Has("error while decoding"))
            return CorruptVideo + evidence;
        if (Has("Invalid data found when processing input")) return "not a video or image ffmpeg can read, or corrupt" + evidence;
        return $"ffmpeg failed (exit code {exitCode})" + evidence;
    }
}
