using System.Text;
using Avocado.Distill.Plots;

namespace Avocado.Distill.Tests.Plots;

public class PngWriterTests
{
    /// <summary>A canvas that exercises every filter: noise, gradients, flat areas and lines.</summary>
    private static Canvas Sample(int width = 97, int height = 61)
    {
        var canvas = new Canvas(width, height, Rgb.FromHex(0xF0F0F0));
        var random = new Random(1234);
        for (int y = 0; y < height / 3; y++)
            for (int x = 0; x < width; x++)
                canvas.SetPixel(x, y, new Rgb((byte)random.Next(256), (byte)random.Next(256), (byte)random.Next(256)));
        for (int y = height / 3; y < 2 * height / 3; y++)
            for (int x = 0; x < width; x++)
                canvas.SetPixel(x, y, new Rgb((byte)(x * 2), (byte)(y * 3), (byte)(x + y)));
        canvas.DrawLine(0, height - 1, width - 1, 2 * height / 3, Palette.ForSeries(0), 2);
        canvas.DrawText(2, height - 12, "Png 0.5", Palette.Text);
        return canvas;
    }

    [Fact]
    public void Crc32MatchesTheStandardCheckValue()
    {
        Assert.Equal(0xCBF43926u, Crc32.Compute("123456789"u8));
        Assert.Equal(0u, Crc32.Compute([]));
    }

    [Fact]
    public void PythonDecodesEveryPixelExactly()
    {
        using var dir = new TempDir();
        var canvas = Sample();
        var png = PngReference.RoundTrip(canvas, dir.Path);
        Assert.Equal(["IHDR", "IDAT", "IEND"], png.Chunks);
        Assert.Equal(canvas.Pixels, png.Rgb);
        Assert.Equal(canvas.GetPixel(5, 5), png.Pixel(5, 5));
        Assert.Equal(canvas.GetPixel(96, 60), png.Pixel(96, 60));
        // The adaptive choice should use more than one filter on this mixed image.
        Assert.True(png.FilterCounts.Count(n => n > 0) >= 2, $"filters used: {string.Join(",", png.FilterCounts)}");
    }

    [Theory]
    [InlineData(PngFilter.None)]
    [InlineData(PngFilter.Sub)]
    [InlineData(PngFilter.Up)]
    [InlineData(PngFilter.Average)]
    [InlineData(PngFilter.Paeth)]
    internal void EachFilterDecodesToTheSamePixels(PngFilter filter)
    {
        using var dir = new TempDir();
        var canvas = Sample();
        string path = Path.Combine(dir.Path, $"{filter}.png");
        using (var file = File.Create(path)) PngWriter.Write(file, canvas, filter);
        var png = PngReference.Decode(path);
        Assert.Equal(canvas.Height, png.FilterCounts[(int)filter]);
        Assert.Equal(PngReference.Sha256Hex(canvas.Pixels), png.Sha256);
    }

    [Fact]
    public void ACorruptedByteIsCaughtByTheChunkCrc()
    {
        // Proves the reference decoder really checks CRCs, so the passing tests above mean something.
        using var dir = new TempDir();
        byte[] bytes = PngWriter.Encode(Sample());
        int idat = Encoding.ASCII.GetString(bytes).IndexOf("IDAT", StringComparison.Ordinal);
        bytes[idat + 10] ^= 0x40;
        string path = Path.Combine(dir.Path, "corrupt.png");
        File.WriteAllBytes(path, bytes);
        var (code, _, stderr) = PngReference.Run(path, path + ".rgb");
        Assert.NotEqual(0, code);
        Assert.Contains("CRC mismatch in chunk IDAT", stderr);
    }

    [Fact]
    public void HeaderHoldsSizeDepthAndColourType()
    {
        var canvas = new Canvas(300, 2);
        byte[] bytes = PngWriter.Encode(canvas);
        Assert.Equal(new byte[] { 137, 80, 78, 71, 13, 10, 26, 10 }, bytes[..8]);
        Assert.Equal("IHDR", Encoding.ASCII.GetString(bytes, 12, 4));
        Assert.Equal(new byte[] { 0, 0, 1, 44, 0, 0, 0, 2, 8, 2, 0, 0, 0 }, bytes[16..29]);
        Assert.Equal("IEND", Encoding.ASCII.GetString(bytes, bytes.Length - 8, 4));
    }

    [Fact]
    public void OnePixelImageRoundTrips()
    {
        using var dir = new TempDir();
        var canvas = new Canvas(1, 1, Rgb.FromHex(0x123456));
        var png = PngReference.RoundTrip(canvas, dir.Path);
        Assert.Equal(Rgb.FromHex(0x123456), png.Pixel(0, 0));
    }

    [Fact]
    public void WritingAPathReplacesTheFileAndLeavesNoTemporaryFiles()
    {
        using var dir = new TempDir();
        string path = Path.Combine(dir.Path, "nested", "folder", "chart.png");
        PngWriter.Write(path, new Canvas(4, 4, Rgb.Black));
        PngWriter.Write(path, new Canvas(8, 3, Rgb.White));
        var png = PngReference.Decode(path);
        Assert.Equal((8, 3), (png.Width, png.Height));
        Assert.Equal(new[] { "chart.png" }, Directory.GetFiles(Path.GetDirectoryName(path)!).Select(f => Path.GetFileName(f)));
    }

    [Fact]
    public void AFailedRenameLeavesNoTemporaryFile()
    {
        // The target is a folder, so the final rename fails after the temporary file was written.
        using var dir = new TempDir();
        string path = Path.Combine(dir.Path, "chart.png");
        Directory.CreateDirectory(path);
        Assert.ThrowsAny<IOException>(() => PngWriter.Write(path, new Canvas(4, 4)));
        Assert.Empty(Directory.GetFiles(dir.Path));
        Assert.True(Directory.Exists(path));
    }
}
