using System.Buffers.Binary;
using System.IO.Compression;

namespace Avocado.Distill.Plots;

/// <summary>The five PNG row filters (PNG specification, section 9.2).</summary>
internal enum PngFilter : byte { None = 0, Sub = 1, Up = 2, Average = 3, Paeth = 4 }

/// <summary>
/// Writes a <see cref="Canvas"/> as a PNG file: 8-bit truecolour (colour type 2), no interlace. Each row gets the
/// filter with the smallest sum of absolute differences (the heuristic the PNG specification recommends, 12.8),
/// and the filtered rows are zlib-compressed into one IDAT chunk. Chunks carry the CRC-32 of their type and data.
/// </summary>
public static class PngWriter
{
    private static ReadOnlySpan<byte> Signature => [137, 80, 78, 71, 13, 10, 26, 10];
    private const int BytesPerPixel = 3;

    public static void Write(Stream stream, Canvas canvas) => Write(stream, canvas, forcedFilter: null);

    /// <summary>
    /// Writes the PNG to a file atomically: into a temporary file beside it, then renamed over the target, so a
    /// reader (or a crash) never sees half an image. Creates the folder when missing.
    /// </summary>
    public static void Write(string path, Canvas canvas)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(canvas);
        string full = Path.GetFullPath(path);
        string dir = Path.GetDirectoryName(full) ?? throw new ArgumentException($"'{path}' has no folder", nameof(path));
        Directory.CreateDirectory(dir);
        // Same folder as the target, so the rename stays on one file system and is atomic.
        string temp = Path.Combine(dir, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write))
            {
                Write(file, canvas);
                file.Flush(flushToDisk: true);
            }
            File.Move(temp, full, overwrite: true);
        }
        catch
        {
            File.Delete(temp);
            throw;
        }
    }

    /// <summary>The PNG file's bytes.</summary>
    public static byte[] Encode(Canvas canvas)
    {
        using var ms = new MemoryStream();
        Write(ms, canvas);
        return ms.ToArray();
    }

    /// <summary>forcedFilter: use this filter on every row instead of choosing (lets tests cover each filter).</summary>
    internal static void Write(Stream stream, Canvas canvas, PngFilter? forcedFilter)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(canvas);
        stream.Write(Signature);

        Span<byte> header = stackalloc byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, canvas.Width);
        BinaryPrimitives.WriteInt32BigEndian(header[4..], canvas.Height);
        header[8] = 8;   // bit depth
        header[9] = 2;   // colour type: truecolour (RGB)
        header[10] = 0;  // compression method: deflate
        header[11] = 0;  // filter method: adaptive, five filter types
        header[12] = 0;  // no interlace
        WriteChunk(stream, "IHDR"u8, header);
        WriteChunk(stream, "IDAT"u8, CompressRows(canvas, forcedFilter));
        WriteChunk(stream, "IEND"u8, []);
    }

    private static void WriteChunk(Stream stream, ReadOnlySpan<byte> type, ReadOnlySpan<byte> data)
    {
        Span<byte> word = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(word, data.Length);
        stream.Write(word);
        stream.Write(type);
        stream.Write(data);
        // The CRC covers the chunk type and data, not the length.
        BinaryPrimitives.WriteUInt32BigEndian(word, Crc32.Finish(Crc32.Update(Crc32.Update(Crc32.Start, type), data)));
        stream.Write(word);
    }

    private static byte[] CompressRows(Canvas canvas, PngFilter? forcedFilter)
    {
        int stride = canvas.Width * BytesPerPixel;
        var best = new byte[stride + 1];
        var candidate = new byte[stride + 1];
        var zeroRow = new byte[stride]; // the row "above" the first row is all zeros (spec 9.2)
        using var compressed = new MemoryStream();
        using (var zlib = new ZLibStream(compressed, CompressionLevel.Optimal, leaveOpen: true))
        {
            for (int y = 0; y < canvas.Height; y++)
            {
                ReadOnlySpan<byte> row = canvas.Pixels.AsSpan(y * stride, stride);
                ReadOnlySpan<byte> prior = y == 0 ? zeroRow : canvas.Pixels.AsSpan((y - 1) * stride, stride);
                if (forcedFilter is { } f) Filter(f, row, prior, best);
                else
                {
                    long bestScore = long.MaxValue;
                    for (var type = PngFilter.None; type <= PngFilter.Paeth; type++)
                    {
                        Filter(type, row, prior, candidate);
                        long score = Score(candidate);
                        if (score < bestScore) { bestScore = score; (best, candidate) = (candidate, best); }
                    }
                }
                zlib.Write(best);
            }
        }
        return compressed.ToArray();
    }

    /// <summary>Filters one row into output: the filter type byte, then one byte per sample.</summary>
    private static void Filter(PngFilter type, ReadOnlySpan<byte> row, ReadOnlySpan<byte> prior, Span<byte> output)
    {
        output[0] = (byte)type;
        for (int i = 0; i < row.Length; i++)
        {
            // a: same sample of the pixel to the left, b: above, c: above-left; 0 beyond the left edge.
            int a = i >= BytesPerPixel ? row[i - BytesPerPixel] : 0;
            int b = prior[i];
            int c = i >= BytesPerPixel ? prior[i - BytesPerPixel] : 0;
            int predictor = type switch
            {
                PngFilter.None => 0,
                PngFilter.Sub => a,
                PngFilter.Up => b,
                PngFilter.Average => (a + b) >> 1,
                PngFilter.Paeth => Paeth(a, b, c),
                _ => throw new ArgumentOutOfRangeException(nameof(type)),
            };
            output[i + 1] = (byte)(row[i] - predictor);
        }
    }

    private static int Paeth(int a, int b, int c)
    {
        int p = a + b - c;
        int pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
        // Ties go a, then b, then c: the order the specification fixes, which decoders rely on.
        if (pa <= pb && pa <= pc) return a;
        return pb <= pc ? b : c;
    }

    /// <summary>Sum of the filtered bytes read as signed values, in absolute value; smaller compresses better.</summary>
    private static long Score(ReadOnlySpan<byte> filtered)
    {
        long sum = 0;
        for (int i = 1; i < filtered.Length; i++) sum += filtered[i] < 128 ? filtered[i] : 256 - filtered[i];
        return sum;
    }
}
