using System.Globalization;
using System.Text.Json;
using Avocado.Media.Ffmpeg;

namespace Avocado.Media;

/// <summary>Runs ffprobe (headers only, a few milliseconds) and reads its JSON into a <see cref="VideoProbe"/>.</summary>
internal static class VideoProber
{
    public static async Task<VideoProbe> ProbeAsync(string path, MediaLimits limits, CancellationToken ct)
    {
        limits.CheckFile(path);
        string[] args = ["-hide_banner", "-loglevel", "level+warning", "-print_format", "json", "-show_format", "-show_streams", "-i", FrameDecoder.InputUrl(path)];
        await using var ffprobe = FfmpegProcess.Start(FfmpegTools.Ffprobe, args, path, limits.ProbeTimeout, ct);
        string json;
        using (var reader = new StreamReader(ffprobe.Stdout, leaveOpen: true)) json = await reader.ReadToEndAsync(ct);
        await ffprobe.WaitForExitAsync(ct, checkExitCode: true);
        try { return Parse(path, json); }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new MediaException(path, $"ffprobe's description of the file could not be read ({e.Message})", e);
        }
    }

    internal static VideoProbe Parse(string path, string json)
    {
        using var doc = JsonDocument.Parse(json);
        var root = doc.RootElement;
        var format = root.TryGetProperty("format", out var f) ? f : default;
        string container = Str(format, "format_name") ?? "";
        var streams = root.TryGetProperty("streams", out var s) ? s.EnumerateArray().ToList() : [];
        bool hasAudio = streams.Any(x => Str(x, "codec_type") == "audio");
        var video = streams.FirstOrDefault(x => Str(x, "codec_type") == "video" && !IsAttachedPicture(x));

        // An image demuxer ("png_pipe", "image2", "webp_pipe"): one still picture is not a video.
        if (container.EndsWith("_pipe", StringComparison.Ordinal) || container == "image2")
            throw new MediaException(path, $"is a still image ({Str(video, "codec_name") ?? container}), not a video: decode it as an image");
        if (video.ValueKind != JsonValueKind.Object)
            return new VideoProbe { Path = path, HasVideo = false, HasAudio = hasAudio, Container = container, DurationSeconds = Seconds(format, "duration") ?? 0 };

        int width = Int(video, "width"), height = Int(video, "height");
        if (IsQuarterTurn(video)) (width, height) = (height, width);
        double fps = Rate(Str(video, "avg_frame_rate")) ?? Rate(Str(video, "r_frame_rate")) ?? 0;
        double duration = Seconds(video, "duration") ?? TagDuration(video) ?? Seconds(format, "duration") ?? 0;
        long? counted = long.TryParse(Str(video, "nb_frames"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : null;
        return new VideoProbe
        {
            Path = path, HasVideo = true, HasAudio = hasAudio, Container = container,
            Codec = Str(video, "codec_name") ?? "", DurationSeconds = duration, Fps = fps, Width = width, Height = height,
            PixelAspectRatio = Rate(Str(video, "sample_aspect_ratio")?.Replace(':', '/')) is { } par and > 0 ? par : 1,
            FrameCount = counted ?? (long)Math.Round(duration * fps, MidpointRounding.AwayFromZero), FrameCountIsExact = counted is not null,
        };
    }

    static bool IsAttachedPicture(JsonElement stream) =>
        stream.TryGetProperty("disposition", out var d) && d.TryGetProperty("attached_pic", out var a) && a.ValueKind == JsonValueKind.Number && a.GetInt32() == 1;

    /// <summary>ffmpeg turns rotated video upright while decoding, so a 90° or 270° rotation swaps the displayed sides.</summary>
    static bool IsQuarterTurn(JsonElement video)
    {
        double? rotation = null;
        if (video.TryGetProperty("side_data_list", out var list))
            foreach (var item in list.EnumerateArray())
                if (item.TryGetProperty("rotation", out var r) && r.ValueKind == JsonValueKind.Number) rotation = r.GetDouble();
        if (rotation is null && video.TryGetProperty("tags", out var tags) && Str(tags, "rotate") is { } rotate
            && double.TryParse(rotate, NumberStyles.Float, CultureInfo.InvariantCulture, out var t)) rotation = t;
        return rotation is { } deg && Math.Abs(Math.Round(deg / 90)) % 2 == 1;
    }

    /// <summary>Matroska/WebM keep the stream duration in a tag: "00:01:02.500000000".</summary>
    static double? TagDuration(JsonElement video) =>
        video.TryGetProperty("tags", out var tags) && (Str(tags, "DURATION") ?? Str(tags, "duration")) is { } text
        && TimeSpan.TryParse(text.Length > 16 ? text[..16] : text, CultureInfo.InvariantCulture, out var span) && span > TimeSpan.Zero
            ? span.TotalSeconds : null;

    /// <summary>"30000/1001" → 29.97; "0/0" and "N/A" → null.</summary>
    static double? Rate(string? text)
    {
        if (text is null) return null;
        var parts = text.Split('/');
        if (parts.Length == 2 && double.TryParse(parts[0], NumberStyles.Float, CultureInfo.InvariantCulture, out var num)
            && double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var den) && num > 0 && den > 0) return num / den;
        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && v > 0 && double.IsFinite(v) ? v : null;
    }

    static double? Seconds(JsonElement e, string name) =>
        double.TryParse(Str(e, name), NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && v > 0 && double.IsFinite(v) ? v : null;

    static int Int(JsonElement e, string name) => e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetInt32() : 0;

    static string? Str(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v)
            ? v.ValueKind == JsonValueKind.String ? v.GetString() : v.ValueKind == JsonValueKind.Number ? v.GetRawText() : null
            : null;
}
