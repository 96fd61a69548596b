using System.Text;

namespace Avocado.Models.Checkpoints;

/// <summary>Every malformed file is refused with a <see cref="CheckpointFormatException"/> naming the file (and tensor), never a crash.</summary>
public sealed class MalformedFileTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    public static TheoryData<string, string, int, string?, string> MalformedHeaders() => new()
    {
        // case, header JSON, data bytes, tensor at fault, expected message fragment
        { "not-json", """{"w":""", 0, null, "not valid JSON" },
        { "array-root", "[1,2]", 0, null, "not an object" },
        { "entry-not-object", """{"w":3}""", 0, "w", "not an object" },
        { "unknown-dtype", """{"w":{"dtype":"F8_E4M3","shape":[1],"data_offsets":[0,1]}}""", 1, "w", "unsupported dtype 'F8_E4M3'" },
        { "lowercase-dtype", """{"w":{"dtype":"f32","shape":[1],"data_offsets":[0,4]}}""", 4, "w", "unsupported dtype 'f32'" },
        { "negative-shape", """{"w":{"dtype":"F32","shape":[2,-1],"data_offsets":[0,4]}}""", 4, "w", "'shape' holds -1" },
        { "fractional-shape", """{"w":{"dtype":"F32","shape":[1.5],"data_offsets":[0,4]}}""", 4, "w", "'shape' holds 1.5" },
        { "missing-offsets", """{"w":{"dtype":"F32","shape":[1]}}""", 4, "w", "no 'data_offsets'" },
        { "offsets-not-pair", """{"w":{"dtype":"F32","shape":[1],"data_offsets":[0]}}""", 4, "w", "[begin,end] pair" },
        { "offsets-reversed", """{"w":{"dtype":"F32","shape":[1],"data_offsets":[4,0]}}""", 4, "w", "[begin,end] pair" },
        { "offsets-too-big", """{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,18446744073709551615]}}""", 4, "w", "not a non-negative 64-bit integer" },
        { "size-mismatch", """{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,4]}}""", 4, "w", "span 4 bytes but shape [2] of F32 needs 8" },
        { "shape-overflow", """{"w":{"dtype":"F32","shape":[4294967296,4294967296,4],"data_offsets":[0,4]}}""", 4, "w", "more bytes than fit in 64 bits" },
        { "overlap", """{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}""", 12, "b", "overlap tensor 'a'" },
        { "gap", """{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}}""", 12, "b", "gap of 4 bytes" },
        { "truncated", """{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[4],"data_offsets":[4,20]}}""", 10, "b", "truncated: expected at least 140 bytes, file has 130" },
        { "trailing", """{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}""", 9, null, "5 trailing bytes" },
        { "duplicate-tensor", """{"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1]},"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1]}}""", 1, "a", "twice" },
        { "metadata-not-string", """{"__metadata__":{"step":3}}""", 0, null, "value of 'step' is a JSON Number, not a string" },
        { "metadata-not-object", """{"__metadata__":"pt"}""", 0, null, "not an object of strings" },
    };

    [Theory]
    [MemberData(nameof(MalformedHeaders))]
    public void MalformedHeaderIsRefusedWithFileAndTensorInTheMessage(string name, string header, int dataBytes, string? tensor, string fragment)
    {
        var ex = AssertRefused($"{name}.safetensors", SafetensorsBytes.Build(header, dataBytes), fragment);

        Assert.Equal(tensor, ex.TensorName);
        if (tensor is not null)
        {
            Assert.Contains($"tensor '{tensor}'", ex.Message);
        }
    }

    [Fact]
    public void FileShorterThanTheLengthPrefixIsRefused() =>
        AssertRefused("short.safetensors", [1, 0, 0], "3 bytes, shorter than the 8-byte header length prefix");

    [Fact]
    public void EmptyFileIsRefused() =>
        AssertRefused("empty.safetensors", [], "0 bytes");

    [Fact]
    public void HeaderLongerThanTheFileIsRefused() =>
        // tensor.rs test_invalid_header_length: a length prefix of 60 and nothing after it.
        AssertRefused("header-past-end.safetensors", [60, 0, 0, 0, 0, 0, 0, 0], "truncated: header length 60 needs at least 68 bytes, file has 8");

    [Fact]
    public void AbsurdHeaderLengthIsRefusedWithoutAllocatingIt() =>
        // tensor.rs test_header_too_large: the high bytes of the prefix are 0xff.
        AssertRefused("huge-header.safetensors", [60, 0, 0, 0, 0, 0xff, 0xff, 0xff, .. new byte[80]], "exceeds the 100000000-byte limit");

    [Fact]
    public void NonUtf8HeaderIsRefused() =>
        // tensor.rs test_invalid_header_non_utf8.
        AssertRefused("non-utf8.safetensors", [1, 0, 0, 0, 0, 0, 0, 0, 0xff], "not valid UTF-8");

    [Fact]
    public void ReferenceVectorMissingTwoDataBytesIsReportedAsTruncated()
    {
        // tensor.rs test_metadata_incomplete_buffer, second case: 16 data bytes declared, 14 present.
        byte[] file = [.. Encoding.ASCII.GetBytes("<\0\0\0\0\0\0\0{\"test\":{\"dtype\":\"I32\",\"shape\":[2,2],\"data_offsets\":[0,16]}}"), .. new byte[14]];

        var ex = AssertRefused("missing-bytes.safetensors", file, "truncated: expected at least 84 bytes, file has 82");

        Assert.Equal("test", ex.TensorName);
    }

    [Fact]
    public void ReferenceVectorWithTrailingBytesIsRefused()
    {
        // tensor.rs test_metadata_incomplete_buffer, first case: a polyglot file with bytes the header does not cover.
        byte[] file = [.. Encoding.ASCII.GetBytes("<\0\0\0\0\0\0\0{\"test\":{\"dtype\":\"I32\",\"shape\":[2,2],\"data_offsets\":[0,16]}}"), .. new byte[16], .. Encoding.ASCII.GetBytes("extra_bogus_data_for_polyglot_file")];

        AssertRefused("polyglot.safetensors", file, "34 trailing bytes");
    }

    private CheckpointFormatException AssertRefused(string fileName, byte[] contents, string fragment)
    {
        var path = _dir.File(fileName);
        File.WriteAllBytes(path, contents);

        var ex = Assert.Throws<CheckpointFormatException>(() => SafetensorsFile.Open(path));

        Assert.Contains(fileName, ex.Message);
        Assert.Equal(path, ex.FilePath);
        Assert.Contains(fragment, ex.Message);
        return ex;
    }
}
