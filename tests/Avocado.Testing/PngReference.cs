using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json;

namespace Avocado.Testing;

/// <summary>A pixel colour.</summary>
public readonly record struct Rgb(byte R, byte G, byte B);

/// <summary>A rectangle of pixels: columns [Left, Right), rows [Top, Bottom).</summary>
public readonly record struct PixelBox(int Left, int Top, int Right, int Bottom);

/// <summary>A PNG as an independent decoder read it: header fields, chunk order, filter use, and the RGB pixels.</summary>
public sealed record DecodedPng(int Width, int Height, int BitDepth, int ColorType, string[] Chunks, int[] FilterCounts, string Sha256, byte[] Rgb)
{
    public Rgb Pixel(int x, int y)
    {
        int i = (y * Width + x) * 3;
        return new Rgb(Rgb[i], Rgb[i + 1], Rgb[i + 2]);
    }

    /// <summary>How many pixels in the box (default: the whole image) have exactly this colour.</summary>
    public int Count(Rgb color, PixelBox? within = null)
    {
        var r = within ?? new PixelBox(0, 0, Width, Height);
        int n = 0;
        for (int y = Math.Max(0, r.Top); y < Math.Min(Height, r.Bottom); y++)
            for (int x = Math.Max(0, r.Left); x < Math.Min(Width, r.Right); x++)
                if (Pixel(x, y) == color) n++;
        return n;
    }

    /// <summary>Pixels in the box that differ from the colour (e.g. non-background pixels).</summary>
    public int CountOther(Rgb color, PixelBox within) => (within.Right - within.Left) * (within.Bottom - within.Top) - Count(color, within);
}

/// <summary>
/// Decodes PNG files with python3's standard library (zlib, struct), not with our code: it checks the signature,
/// every chunk's CRC (zlib.crc32), the IHDR fields and chunk order, inflates the IDAT data, undoes all five row
/// filters and writes the raw RGB bytes. A broken file makes the script exit non-zero with the reason.
/// </summary>
public static class PngReference
{
    private const string Script = """
import sys, zlib, struct, json, hashlib
def fail(msg):
    sys.stderr.write(msg + "\n"); sys.exit(2)
path, out = sys.argv[1], sys.argv[2]
data = open(path, "rb").read()
if data[:8] != b"\x89PNG\r\n\x1a\n": fail("bad signature")
pos, chunks, idat, ihdr = 8, [], b"", None
while True:
    if pos + 12 > len(data): fail("truncated chunk at %d" % pos)
    length, ctype = struct.unpack(">I4s", data[pos:pos + 8])
    if pos + 12 + length > len(data): fail("truncated chunk body at %d" % pos)
    body = data[pos + 8:pos + 8 + length]
    (crc,) = struct.unpack(">I", data[pos + 8 + length:pos + 12 + length])
    name = ctype.decode("latin-1")
    if zlib.crc32(ctype + body) & 0xFFFFFFFF != crc: fail("CRC mismatch in chunk " + name)
    chunks.append(name)
    pos += 12 + length
    if name == "IHDR":
        if length != 13: fail("IHDR length %d" % length)
        ihdr = struct.unpack(">IIBBBBB", body)
    elif name == "IDAT": idat += body
    elif name == "IEND":
        if length != 0: fail("IEND not empty")
        break
if pos != len(data): fail("%d bytes after IEND" % (len(data) - pos))
if chunks[0] != "IHDR": fail("first chunk is " + chunks[0])
w, h, depth, ctype, comp, filt, inter = ihdr
if depth != 8 or ctype not in (2, 6) or comp != 0 or filt != 0 or inter != 0: fail("unsupported IHDR %r" % (ihdr,))
bpp = 3 if ctype == 2 else 4
stride = w * bpp
raw = zlib.decompress(idat)
if len(raw) != h * (stride + 1): fail("inflated %d bytes, expected %d" % (len(raw), h * (stride + 1)))
prev, rgb, counts = bytearray(stride), bytearray(), [0] * 5
for y in range(h):
    ft = raw[y * (stride + 1)]
    line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
    if ft > 4: fail("row %d: filter type %d" % (y, ft))
    counts[ft] += 1
    for x in range(stride):
        a = line[x - bpp] if x >= bpp else 0
        b = prev[x]
        c = prev[x - bpp] if x >= bpp else 0
        if ft == 1: line[x] = (line[x] + a) & 255
        elif ft == 2: line[x] = (line[x] + b) & 255
        elif ft == 3: line[x] = (line[x] + ((a + b) >> 1)) & 255
        elif ft == 4:
            p = a + b - c
            pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
    rgb += line if bpp == 3 else bytes(v for i, v in enumerate(line) if i % 4 != 3)
    prev = line
open(out, "wb").write(rgb)
print(json.dumps({"width": w, "height": h, "bitDepth": depth, "colorType": ctype, "chunks": chunks,
                  "filters": counts, "sha256": hashlib.sha256(rgb).hexdigest()}))
""";

    /// <summary>Runs the decoder: exit code, stdout (JSON) and stderr (the reason when the file is broken).</summary>
    public static (int ExitCode, string Stdout, string Stderr) Run(string pngPath, string rawOutPath)
    {
        var psi = new ProcessStartInfo("python3") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add(Script);
        psi.ArgumentList.Add(pngPath);
        psi.ArgumentList.Add(rawOutPath);
        Process process;
        try { process = Process.Start(psi) ?? throw new InvalidOperationException("python3 did not start"); }
        catch (System.ComponentModel.Win32Exception e)
        {
            Assert.Fail($"python3 is needed to decode PNGs independently ({e.Message}); install it (e.g. apt-get install python3) and put it on PATH");
            throw;
        }
        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            string stderr = process.StandardError.ReadToEnd();
            if (!process.WaitForExit(120_000)) { process.Kill(); Assert.Fail($"python3 took over 2 minutes to decode {pngPath}"); }
            return (process.ExitCode, stdout.Result, stderr);
        }
    }

    /// <summary>Decodes a PNG file, failing the test when the decoder rejects it.</summary>
    public static DecodedPng Decode(string pngPath)
    {
        string raw = pngPath + ".rgb";
        var (code, stdout, stderr) = Run(pngPath, raw);
        Assert.True(code == 0, $"python3 rejected {pngPath}: {stderr}");
        using var json = JsonDocument.Parse(stdout);
        var r = json.RootElement;
        var png = new DecodedPng(
            r.GetProperty("width").GetInt32(), r.GetProperty("height").GetInt32(),
            r.GetProperty("bitDepth").GetInt32(), r.GetProperty("colorType").GetInt32(),
            r.GetProperty("chunks").EnumerateArray().Select(c => c.GetString()!).ToArray(),
            r.GetProperty("filters").EnumerateArray().Select(c => c.GetInt32()).ToArray(),
            r.GetProperty("sha256").GetString()!, File.ReadAllBytes(raw));
        File.Delete(raw);
        return png;
    }

    public static string Sha256Hex(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));
}
