using System.Text;
using System.Text.Json;
using TorchSharp;
using static Avocado.Models.Checkpoints.TestTensors;

namespace Avocado.Models.Checkpoints;

/// <summary>
/// Checks the format against the published layout, not just against our own reader: the writer's output against
/// bytes assembled by hand, and the reader against the byte vectors of huggingface/safetensors' own tests
/// (safetensors/src/tensor.rs), which its Python writer produces too (header padded with spaces to 8 bytes).
/// </summary>
public sealed class SpecBytesTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void WriterOutputMatchesHandBuiltBytes()
    {
        using var w = torch.tensor(new[] { 0f, 1f, 2f, -1.5f }).reshape(2, 2);
        using var b = torch.tensor(new[] { 1.5f, -2f, float.PositiveInfinity }).to(torch.ScalarType.BFloat16);
        using var h = torch.tensor(new[] { 1.5f, -2f }).to(torch.ScalarType.Float16);
        var path = _dir.File("spec.safetensors");

        // Given smallest elements first; the file must hold the F32 tensor first, then the 2-byte ones in the given order.
        SafetensorsWriter.Write(path, [Named("b", b), Named("h", h), Named("w", w)]);

        const string header = """{"__metadata__":{"format":"pt"},"w":{"dtype":"F32","shape":[2,2],"data_offsets":[0,16]},"b":{"dtype":"BF16","shape":[3],"data_offsets":[16,22]},"h":{"dtype":"F16","shape":[2],"data_offsets":[22,26]}}""";
        byte[] expected =
        [
            0xC8, 0, 0, 0, 0, 0, 0, 0, // header length 200, u64 little-endian
            .. Encoding.ASCII.GetBytes(header), (byte)' ', // 199 bytes of JSON + 1 space: data starts at byte 208, 8-aligned
            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x80, 0x3F, 0x00, 0x00, 0x00, 0x40, 0x00, 0x00, 0xC0, 0xBF, // F32 0, 1, 2, -1.5
            0xC0, 0x3F, 0x00, 0xC0, 0x80, 0x7F, // BF16 1.5, -2, +inf
            0x00, 0x3E, 0x00, 0xC0, // F16 1.5, -2
        ];
        Assert.Equal(208 + 26, expected.Length);
        Assert.Equal(expected, File.ReadAllBytes(path));
    }

    [Fact]
    public void WrittenHeaderParsesAsTheSpecDescribes()
    {
        using var a = torch.arange(5, torch.ScalarType.Int64);
        var path = _dir.File("parse.safetensors");
        SafetensorsWriter.Write(path, [Named("a", a)], new Dictionary<string, string> { ["step"] = "7" });

        var bytes = File.ReadAllBytes(path);
        var n = (int)BitConverter.ToUInt64(bytes, 0);
        Assert.Equal(0, (8 + n) % 8);
        using var json = JsonDocument.Parse(bytes.AsMemory(8, n));
        var metadata = json.RootElement.GetProperty("__metadata__");
        Assert.Equal("pt", metadata.GetProperty("format").GetString());
        Assert.Equal("7", metadata.GetProperty("step").GetString());
        var entry = json.RootElement.GetProperty("a");
        Assert.Equal("I64", entry.GetProperty("dtype").GetString());
        Assert.Equal([5L], entry.GetProperty("shape").EnumerateArray().Select(e => e.GetInt64()));
        Assert.Equal([0L, 40L], entry.GetProperty("data_offsets").EnumerateArray().Select(e => e.GetInt64()));
        Assert.Equal(8 + n + 40, bytes.Length);
        Assert.Equal(4L, BitConverter.ToInt64(bytes, 8 + n + 4 * 8));
    }

    [Fact]
    public void ReadsReferenceVectorWithUnpaddedHeader()
    {
        // tensor.rs test_serialization: {"attn.0": F32 [1,2,3] = 0..5}, a 64-byte header needing no padding.
        byte[] file =
        [
            64, 0, 0, 0, 0, 0, 0, 0, 123, 34, 97, 116, 116, 110, 46, 48, 34, 58, 123, 34, 100,
            116, 121, 112, 101, 34, 58, 34, 70, 51, 50, 34, 44, 34, 115, 104, 97, 112, 101, 34,
            58, 91, 49, 44, 50, 44, 51, 93, 44, 34, 100, 97, 116, 97, 95, 111, 102, 102, 115,
            101, 116, 115, 34, 58, 91, 48, 44, 50, 52, 93, 125, 125, 0, 0, 0, 0, 0, 0, 128, 63,
            0, 0, 0, 64, 0, 0, 64, 64, 0, 0, 128, 64, 0, 0, 160, 64,
        ];
        using var read = ReadOnly(file, "attn.0");

        Assert.Equal([1L, 2L, 3L], read.shape);
        Assert.Equal(torch.ScalarType.Float32, read.dtype);
        Assert.Equal([0f, 1f, 2f, 3f, 4f, 5f], read.data<float>().ToArray());
    }

    [Fact]
    public void ReadsReferenceVectorWithSpacePaddedHeader()
    {
        // tensor.rs test_serialization_forced_alignement: the 65-byte JSON is padded with 7 spaces to 72.
        byte[] file =
        [
            72, 0, 0, 0, 0, 0, 0, 0, 123, 34, 97, 116, 116, 110, 48, 34, 58, 123, 34, 100, 116,
            121, 112, 101, 34, 58, 34, 70, 51, 50, 34, 44, 34, 115, 104, 97, 112, 101, 34, 58,
            91, 49, 44, 49, 44, 50, 44, 51, 93, 44, 34, 100, 97, 116, 97, 95, 111, 102, 102,
            115, 101, 116, 115, 34, 58, 91, 48, 44, 50, 52, 93, 125, 125, 32, 32, 32, 32, 32,
            32, 32, 0, 0, 0, 0, 0, 0, 128, 63, 0, 0, 0, 64, 0, 0, 64, 64, 0, 0, 128, 64, 0, 0,
            160, 64,
        ];
        using var read = ReadOnly(file, "attn0");

        Assert.Equal([1L, 1L, 2L, 3L], read.shape);
        Assert.Equal([0f, 1f, 2f, 3f, 4f, 5f], read.data<float>().ToArray());
    }

    [Fact]
    public void ReadsReferenceVectorWithScalarShape()
    {
        // tensor.rs test_empty_shapes_allowed: an I32 scalar, shape [] (its value changed from 0 to 42 so it is checked).
        byte[] file = [.. Encoding.ASCII.GetBytes("8\0\0\0\0\0\0\0{\"test\":{\"dtype\":\"I32\",\"shape\":[],\"data_offsets\":[0,4]}}"), 42, 0, 0, 0];
        using var read = ReadOnly(file, "test");

        Assert.Empty(read.shape);
        Assert.Equal(42, read.item<int>());
    }

    [Fact]
    public void ReadsReferenceVectorWithMetadataOnly()
    {
        // tensor.rs test_empty: no tensors, metadata {"framework":"pt"}, padded with 5 spaces.
        byte[] file =
        [
            40, 0, 0, 0, 0, 0, 0, 0, 123, 34, 95, 95, 109, 101, 116, 97, 100, 97, 116, 97, 95,
            95, 34, 58, 123, 34, 102, 114, 97, 109, 101, 119, 111, 114, 107, 34, 58, 34, 112,
            116, 34, 125, 125, 32, 32, 32, 32, 32,
        ];
        var path = _dir.File("empty.safetensors");
        File.WriteAllBytes(path, file);
        using var opened = SafetensorsFile.Open(path);

        Assert.Empty(opened.Tensors);
        Assert.Equal("pt", opened.Metadata["framework"]);
    }

    private torch.Tensor ReadOnly(byte[] file, string name)
    {
        var path = _dir.File("reference.safetensors");
        File.WriteAllBytes(path, file);
        using var opened = SafetensorsFile.Open(path);
        Assert.Equal([name], opened.Tensors.Keys);
        return opened.Read(name);
    }
}
