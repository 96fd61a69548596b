using System.Buffers.Binary;
using System.Text;
using Avocado.Models.Gguf;
using TorchSharp;
using static TorchSharp.torch;

namespace Avocado.Models.Tests.Gguf;

/// <summary>The writer against bytes built by hand from the GGUF v3 specification (ggml docs/gguf.md), and the reader
/// against the writer.</summary>
public sealed class GgufFormatTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("avocado-gguf-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static readonly KeyValuePair<string, GgufValue>[] TinyMetadata =
    [
        new("general.architecture", GgufValue.String("tiny")),
        new("tiny.count", GgufValue.U32(7)),
        new("tiny.scale", GgufValue.F32(0.5f)),
        new("tiny.flags", GgufValue.Array(new[] { true, false })),
        new("tiny.names", GgufValue.Array(new[] { "a", "bc" })),
        new("tiny.ids", GgufValue.Array(new[] { 1, -2 })),
    ];

    private static readonly GgufTensorInfo[] TinyTensors =
    [
        new("w", GgmlType.F32, [2, 3]), // PyTorch [2, 3] is GGUF {3, 2}
        new("b", GgmlType.F16, [3]),
    ];

    private static readonly float[] WData = [1, 2, 3, 4, 5, 6];
    private static readonly Half[] BData = [(Half)1, (Half)(-2), (Half)0.5];

    [Fact]
    public void TinyFileMatchesTheSpecificationByteForByte()
    {
        var b = new SpecBytes();
        b.Raw("GGUF"u8).U32(3).U64(2).U64(6);                                      // magic, version, tensors, kvs: 24 bytes
        b.Str("general.architecture").U32(8).Str("tiny");                          // 8+20+4+8+4 = 44
        b.Str("tiny.count").U32(4).U32(7);                                         // 26
        b.Str("tiny.scale").U32(6).F32(0.5f);                                      // 26
        b.Str("tiny.flags").U32(9).U32(7).U64(2).Raw([1, 0]);                      // 36
        b.Str("tiny.names").U32(9).U32(8).U64(2).Str("a").Str("bc");               // 53
        b.Str("tiny.ids").U32(9).U32(5).U64(2).I32(1).I32(-2);                      // 40: 249 so far
        b.Str("w").U32(2).U64(3).U64(2).U32(0).U64(0);                             // dims innermost first, F32, offset 0: 41
        b.Str("b").U32(1).U64(3).U32(1).U64(32);                                   // F16, offset 24 padded to 32: 33 → 323
        b.Zeros(352 - 323);                                                        // data section starts aligned to 32
        foreach (var v in WData) b.F32(v);
        b.Zeros(8);                                                                // 24 bytes of w padded to 32
        foreach (var v in BData) b.F16(v);
        b.Zeros(26);                                                               // 6 bytes of b padded to 32: 416 in all

        var path = Path.Combine(_dir, "tiny.gguf");
        WriteTiny(path, TinyMetadata);

        Assert.Equal(416, b.Length);
        Assert.Equal(b.ToArray(), File.ReadAllBytes(path));
    }

    [Fact]
    public void ReaderReadsBackWhatTheWriterWrote()
    {
        var path = Path.Combine(_dir, "tiny.gguf");
        WriteTiny(path, TinyMetadata);

        using var r = GgufReader.Open(path);
        Assert.Equal(3u, r.Version);
        Assert.Equal(32u, r.Alignment);
        Assert.Equal(352, r.DataStart);
        Assert.Equal(TinyMetadata.Select(m => m.Key), r.MetadataList.Select(m => m.Key));
        Assert.Equal("tiny", r.Get<string>("general.architecture"));
        Assert.Equal(7u, r.Get<uint>("tiny.count"));
        Assert.Equal(0.5f, r.Get<float>("tiny.scale"));
        Assert.Equal([true, false], r.Get<bool[]>("tiny.flags"));
        Assert.Equal(["a", "bc"], r.Get<string[]>("tiny.names"));
        Assert.Equal([1, -2], r.Get<int[]>("tiny.ids"));

        var w = r.Tensor("w");
        Assert.Equal([2L, 3], w.Shape);
        Assert.Equal([3L, 2], w.GgufDims);
        Assert.Equal(352, w.DataOffset);
        Assert.Equal(WData, r.ReadFloats("w"));
        Assert.Equal(384, r.Tensor("b").DataOffset);
        Assert.Equal(BData.Select(h => (float)h), r.ReadFloats("b"));
    }

    [Fact]
    public void GeneralAlignmentSetsThePadding()
    {
        var path = Path.Combine(_dir, "aligned.gguf");
        WriteTiny(path, [.. TinyMetadata, new(GgufWriter.AlignmentKey, GgufValue.U32(64))]);

        using var r = GgufReader.Open(path);
        Assert.Equal(64u, r.Alignment);
        Assert.Equal(0, r.DataStart % 64);
        Assert.All(r.Tensors, t => Assert.Equal(0, (t.DataOffset - r.DataStart) % 64));
        Assert.Equal(r.Tensor("w").DataOffset + 64, r.Tensor("b").DataOffset);
        Assert.Equal(r.Tensor("b").DataOffset + 64, new FileInfo(path).Length);
        Assert.Equal(WData, r.ReadFloats("w"));
    }

    [Theory]
    [InlineData(48u)]
    [InlineData(0u)]
    public void AlignmentMustBeAPowerOfTwo(uint alignment)
    {
        using var stream = new MemoryStream();
        using var writer = new GgufWriter(stream);
        var e = Assert.Throws<ArgumentException>(() =>
            writer.WriteHeader([new(GgufWriter.AlignmentKey, GgufValue.U32(alignment))], TinyTensors));
        Assert.Contains(GgufWriter.AlignmentKey, e.Message);
    }

    [Fact]
    public void DataMayArriveInPiecesThatSpanTensors()
    {
        var whole = Path.Combine(_dir, "whole.gguf");
        WriteTiny(whole, TinyMetadata);
        var pieces = Path.Combine(_dir, "pieces.gguf");
        var bytes = TensorBytes();
        using (var stream = File.Create(pieces))
        using (var writer = new GgufWriter(stream))
        {
            writer.WriteHeader(TinyMetadata, TinyTensors);
            foreach (var chunk in bytes.Chunk(5)) // 5-byte pieces: one straddles w and b
            {
                writer.WriteTensorBytes(chunk);
            }
            writer.Finish();
        }
        Assert.Equal(File.ReadAllBytes(whole), File.ReadAllBytes(pieces));
    }

    [Fact]
    public void MissingOrSurplusDataIsAnError()
    {
        using var stream = new MemoryStream();
        using var writer = new GgufWriter(stream);
        writer.WriteHeader(TinyMetadata, TinyTensors);
        writer.WriteTensorBytes(new byte[24]);
        var missing = Assert.Throws<InvalidOperationException>(writer.Finish);
        Assert.Contains("'b' got 0 of its 6 bytes", missing.Message);
        Assert.Throws<InvalidOperationException>(() => writer.WriteTensorBytes(new byte[7]));
    }

    [Fact]
    public void DuplicateNamesAreRejected()
    {
        using var stream = new MemoryStream();
        using var writer = new GgufWriter(stream);
        var e = Assert.Throws<ArgumentException>(() => writer.WriteHeader(TinyMetadata, [TinyTensors[0], TinyTensors[0]]));
        Assert.Contains("duplicate GGUF tensor name 'w'", e.Message);
    }

    [Fact]
    public void ReaderRejectsOtherFiles()
    {
        var path = Path.Combine(_dir, "not.gguf");
        File.WriteAllBytes(path, "GGML\u0003\0\0\0"u8.ToArray());
        var e = Assert.Throws<InvalidDataException>(() => GgufReader.Open(path));
        Assert.Contains("not a GGUF file", e.Message);
    }

    [Fact]
    public void TensorDataIsWrittenInChunksFromViews()
    {
        // A transposed (non-contiguous) tensor written in 12-byte pieces must come out in row-major order.
        using var t = arange(24, dtype: ScalarType.Float32).reshape(4, 6).t();
        var path = Path.Combine(_dir, "chunks.gguf");
        using (var stream = File.Create(path))
        using (var writer = new GgufWriter(stream))
        {
            writer.WriteHeader([], [new("t", GgmlType.F32, [6, 4])]);
            GgufExporter.WriteData(writer, t, chunkBytes: 12);
            writer.Finish();
        }
        using var r = GgufReader.Open(path);
        Assert.Equal(t.contiguous().data<float>().ToArray(), r.ReadFloats("t"));
    }

    private static void WriteTiny(string path, IReadOnlyList<KeyValuePair<string, GgufValue>> metadata)
    {
        using var stream = File.Create(path);
        using var writer = new GgufWriter(stream);
        writer.WriteHeader(metadata, TinyTensors);
        var bytes = TensorBytes();
        writer.WriteTensorBytes(bytes.AsSpan(0, 24));
        writer.WriteTensorBytes(bytes.AsSpan(24));
        writer.Finish();
    }

    private static byte[] TensorBytes()
    {
        var b = new SpecBytes();
        foreach (var v in WData) b.F32(v);
        foreach (var v in BData) b.F16(v);
        return b.ToArray();
    }

    /// <summary>Little-endian fields appended one by one, as the specification lists them.</summary>
    private sealed class SpecBytes
    {
        private readonly List<byte> _bytes = [];

        public int Length => _bytes.Count;

        public byte[] ToArray() => [.. _bytes];

        public SpecBytes Raw(ReadOnlySpan<byte> bytes)
        {
            _bytes.AddRange(bytes.ToArray());
            return this;
        }

        public SpecBytes Zeros(int n) => Raw(new byte[n]);

        public SpecBytes U32(uint v) => Le(4, s => BinaryPrimitives.WriteUInt32LittleEndian(s, v));

        public SpecBytes I32(int v) => Le(4, s => BinaryPrimitives.WriteInt32LittleEndian(s, v));

        public SpecBytes U64(ulong v) => Le(8, s => BinaryPrimitives.WriteUInt64LittleEndian(s, v));

        public SpecBytes F32(float v) => Le(4, s => BinaryPrimitives.WriteSingleLittleEndian(s, v));

        public SpecBytes F16(Half v) => Le(2, s => BinaryPrimitives.WriteHalfLittleEndian(s, v));

        /// <summary>u64 byte count, then UTF-8 without a terminator.</summary>
        public SpecBytes Str(string s) => U64((ulong)Encoding.UTF8.GetByteCount(s)).Raw(Encoding.UTF8.GetBytes(s));

        private SpecBytes Le(int size, SpanAction write)
        {
            var buffer = new byte[size];
            write(buffer);
            return Raw(buffer);
        }

        private delegate void SpanAction(Span<byte> span);
    }
}
