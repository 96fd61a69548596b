namespace Avocado.Media.Tests;

/// <summary>Test videos and images generated with ffmpeg from lavfi sources (and raw frames we write), once per test
/// run. Every file's content is known by construction: where the cuts are, what colour each frame is.
///
/// One shared instance rather than an xunit collection fixture: a collection runs its classes one after another, and
/// these tests spend most of their time waiting for ffmpeg, so classes sharing the files in parallel finish sooner.</summary>
public sealed class MediaFiles : IDisposable
{
    static readonly Lazy<MediaFiles> SharedFiles = new(() =>
    {
        var files = new MediaFiles();
        AppDomain.CurrentDomain.ProcessExit += (_, _) => files.Dispose();
        return files;
    });

    /// <summary>The files, made on first use (thread-safe) and deleted when the test process exits.</summary>
    public static MediaFiles Shared => SharedFiles.Value;

    readonly TempDir _dir = new("avocado-media-");

    public const double CutsFps = 24;
    /// <summary>Cut times of <see cref="Cuts"/>: testsrc | red | blue | testsrc2 (all frame-aligned at 24 fps).</summary>
    public static readonly double[] CutTimes = [2.0, 5.0, 7.5];

    public const int IndexedWidth = 64, IndexedHeight = 48, IndexedFrames = 240;
    public const double IndexedFps = 24;

    public const int PatternWidth = 96, PatternHeight = 64;

    MediaFiles()
    {
        Cuts = _dir.File("cuts.mp4");
        SameLumaCut = _dir.File("same-luma.mp4");
        Motion = _dir.File("motion.mp4");
        Indexed = _dir.File("indexed.nut");
        AudioOnly = _dir.File("audio-only.mp4");
        NotAVideo = _dir.File("not-a-video.mp4");
        Empty = _dir.File("empty.mp4");
        TruncatedIndexAtEnd = _dir.File("truncated.mp4");
        TruncatedIndexAtFront = _dir.File("truncated-faststart.mp4");
        Corrupt = _dir.File("corrupt.mp4");
        PatternRgb = Pattern();
        Png = _dir.File("pattern.png");
        Jpeg = _dir.File("pattern.jpg");
        Webp = _dir.File("pattern.webp");
        Gif = _dir.File("pattern.gif");
        TruncatedPng = _dir.File("truncated.png");

        System.IO.File.WriteAllText(NotAVideo, "This is a text file with a video's name.\n");
        System.IO.File.WriteAllBytes(Empty, []);
        // Independent files in parallel: starting ffmpeg costs ~0.4 s of mostly waiting here, so overlapping pays.
        Parallel.Invoke(MakeCutsAndItsDamagedCopies, MakeIndexed, MakeImages,
            () => Make(SameLumaCut, "-f", "lavfi", "-i", "color=c=red:s=160x120:r=24:d=2", "-f", "lavfi", "-i", "color=c=0x008000:s=160x120:r=24:d=2",
                "-filter_complex", "[0][1]concat=n=2:v=1:a=0,format=yuv420p", "-c:v", "libx264", "-preset", "ultrafast"),
            () => Make(Motion, "-f", "lavfi", "-i", "testsrc2=s=320x240:r=24:d=6", "-pix_fmt", "yuv420p", "-c:v", "libx264", "-preset", "ultrafast"),
            () => Make(AudioOnly, "-f", "lavfi", "-i", "sine=frequency=440:duration=2", "-c:a", "aac"));
    }

    void MakeCutsAndItsDamagedCopies()
    {
        Make(Cuts, "-f", "lavfi", "-i", "testsrc=s=320x240:r=24:d=2", "-f", "lavfi", "-i", "color=c=red:s=320x240:r=24:d=3",
            "-f", "lavfi", "-i", "color=c=blue:s=320x240:r=24:d=2.5", "-f", "lavfi", "-i", "testsrc2=s=320x240:r=24:d=2.5",
            "-filter_complex", "[0][1][2][3]concat=n=4:v=1:a=0,format=yuv420p", "-c:v", "libx264", "-preset", "ultrafast", "-g", "48");

        // Cut in half: with the index (moov) at the end, nothing can be read; with it at the front (faststart), the
        // header promises 10 s and the frames stop half way.
        HalfOf(Cuts, TruncatedIndexAtEnd);
        var faststart = _dir.File("faststart.mp4");
        Make(faststart, "-i", Cuts, "-c", "copy", "-movflags", "+faststart");
        HalfOf(faststart, TruncatedIndexAtFront);

        var bytes = System.IO.File.ReadAllBytes(Cuts);
        var random = new Random(15);
        for (int i = bytes.Length / 10; i < bytes.Length * 8 / 10; i++) bytes[i] = (byte)random.Next(256);
        System.IO.File.WriteAllBytes(Corrupt, bytes);
    }

    /// <summary>Frame i is one flat colour that encodes i; FFV1 is lossless, so every decoded pixel is known exactly.</summary>
    void MakeIndexed()
    {
        var raw = _dir.File("indexed.rgb");
        using (var f = System.IO.File.Create(raw))
            for (int i = 0; i < IndexedFrames; i++)
            {
                var c = IndexedColor(i);
                for (int p = 0; p < IndexedWidth * IndexedHeight; p++) f.Write([c.R, c.G, c.B]);
            }
        Make(Indexed, "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", $"{IndexedWidth}x{IndexedHeight}", "-r", "24", "-i", raw, "-c:v", "ffv1", "-pix_fmt", "bgr0");
    }

    void MakeImages()
    {
        var patternRaw = _dir.File("pattern.rgb");
        System.IO.File.WriteAllBytes(patternRaw, PatternRgb);
        string[] rawInput = ["-f", "rawvideo", "-pix_fmt", "rgb24", "-s", $"{PatternWidth}x{PatternHeight}", "-i", patternRaw, "-frames:v", "1"];
        Make(Png, [.. rawInput, "-pix_fmt", "rgb24"]);
        Make(Jpeg, [.. rawInput, "-pix_fmt", "yuvj444p", "-q:v", "2"]);
        Make(Webp, [.. rawInput, "-c:v", "libwebp", "-quality", "95"]);
        Make(Gif, rawInput);
        HalfOf(Png, TruncatedPng);
    }

    public string Cuts { get; }
    public string SameLumaCut { get; }
    public string Motion { get; }
    public string Indexed { get; }
    public string AudioOnly { get; }
    public string NotAVideo { get; }
    public string Empty { get; }
    public string TruncatedIndexAtEnd { get; }
    public string TruncatedIndexAtFront { get; }
    public string Corrupt { get; }
    public byte[] PatternRgb { get; }
    public string Png { get; }
    public string Jpeg { get; }
    public string Webp { get; }
    public string Gif { get; }
    public string TruncatedPng { get; }

    /// <summary>A fresh path in the fixture's directory (for files a test makes itself).</summary>
    public string PathFor(string name) => _dir.File(name);

    /// <summary>The colour of every pixel of frame <paramref name="i"/> of <see cref="Indexed"/>.</summary>
    public static (byte R, byte G, byte B) IndexedColor(int i) => ((byte)i, (byte)(255 - i), (byte)(i * 7 % 256));

    /// <summary>Four flat quadrants (for exact and tolerance checks away from edges) over a smooth gradient row band.</summary>
    static byte[] Pattern()
    {
        var rgb = new byte[PatternWidth * PatternHeight * 3];
        (byte, byte, byte)[] quadrants = [(220, 30, 40), (30, 200, 60), (40, 60, 210), (240, 230, 200)];
        for (int y = 0; y < PatternHeight; y++)
            for (int x = 0; x < PatternWidth; x++)
            {
                var (r, g, b) = quadrants[(y < PatternHeight / 2 ? 0 : 2) + (x < PatternWidth / 2 ? 0 : 1)];
                if (y >= 28 && y < 36) (r, g, b) = ((byte)(x * 255 / (PatternWidth - 1)), (byte)(255 - x * 255 / (PatternWidth - 1)), 128);
                int i = (y * PatternWidth + x) * 3;
                (rgb[i], rgb[i + 1], rgb[i + 2]) = (r, g, b);
            }
        return rgb;
    }

    static void Make(string path, params string[] args) => Ffmpeg.Run(["-y", .. args, path]);

    static void HalfOf(string source, string path)
    {
        var bytes = System.IO.File.ReadAllBytes(source);
        System.IO.File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);
    }

    public void Dispose() => _dir.Dispose();
}

/// <summary>Runs ffmpeg for test set-up; a failure fails the test with ffmpeg's own words.</summary>
public static class Ffmpeg
{
    public static string Run(params string[] args)
    {
        var (code, _, stderr) = ExternalTools.Run("ffmpeg", ["-hide_banner", "-nostdin", "-loglevel", "error", .. args]);
        Assert.True(code == 0, $"ffmpeg {string.Join(' ', args)} failed: {stderr}");
        return stderr;
    }

    /// <summary>ffmpeg's own scene cuts: the times of frames whose scene score passes the threshold (select + showinfo).</summary>
    public static double[] SceneCuts(string video, double threshold = 0.3)
    {
        var (code, _, stderr) = ExternalTools.Run("ffmpeg", ["-hide_banner", "-nostdin", "-nostats", "-i", video,
            "-vf", $"select='gt(scene,{threshold.ToString(System.Globalization.CultureInfo.InvariantCulture)})',showinfo", "-f", "null", "-"]);
        Assert.True(code == 0, stderr);
        return [.. System.Text.RegularExpressions.Regex.Matches(stderr, @"pts_time:(\S+)")
            .Select(m => double.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture))];
    }
}
