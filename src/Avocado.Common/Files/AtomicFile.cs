using System.Text;

namespace Avocado.Common.Files;

/// <summary>Whole-or-nothing file writes (see <see cref="StagedFile"/>): readers, a crash or a power loss see the old
/// content or the new, never a mix. Every file the system keeps (datasets, checkpoints, reports, charts, configs it
/// writes) goes through here, with one durability rule.</summary>
public static class AtomicFile
{
    static readonly UTF8Encoding Utf8NoBom = new(encoderShouldEmitUTF8Identifier: false);

    public static void Write(string path, Action<Stream> write, long expectedLength = 0)
    {
        using var staged = StagedFile.Write(path, expectedLength, write);
        staged.Commit();
    }

    public static void WriteAllBytes(string path, ReadOnlySpan<byte> bytes)
    {
        var copy = bytes.ToArray();
        Write(path, s => s.Write(copy), copy.Length);
    }

    /// <summary>UTF-8 without a byte-order mark, as <see cref="File.WriteAllText(string, string?)"/> writes it.</summary>
    public static void WriteAllText(string path, string text) => WriteAllBytes(path, Utf8NoBom.GetBytes(text));

    /// <summary>Each line followed by "\n".</summary>
    public static void WriteAllLines(string path, IEnumerable<string> lines) => Write(path, s =>
    {
        using var writer = new StreamWriter(s, Utf8NoBom, 1 << 16, leaveOpen: true) { NewLine = "\n" };
        foreach (var line in lines) writer.WriteLine(line);
    });
}
