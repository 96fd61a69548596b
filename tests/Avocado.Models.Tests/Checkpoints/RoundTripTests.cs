using TorchSharp;
using static Avocado.Models.Checkpoints.TestTensors;

namespace Avocado.Models.Checkpoints;

public sealed class RoundTripTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    public static TheoryData<StorageDType, long[]> DTypesAndShapes()
    {
        long[][] shapes = [[], [0], [3, 0, 2], [7], [2, 3, 5]];
        var data = new TheoryData<StorageDType, long[]>();
        foreach (var dtype in Enum.GetValues<StorageDType>())
        {
            foreach (var shape in shapes)
            {
                data.Add(dtype, shape);
            }
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(DTypesAndShapes))]
    public void EveryDTypeAndShapeRoundTripsBitIdentical(StorageDType dtype, long[] shape)
    {
        using var original = RandomTensor(dtype, shape, seed: 17);
        var path = _dir.File("one.safetensors");

        SafetensorsWriter.Write(path, [Named("t", original)]);
        using var file = SafetensorsFile.Open(path);
        using var read = file.Read("t");

        Assert.Equal(StorageDTypes.ToTorch(dtype), read.dtype);
        Assert.Equal(shape, read.shape);
        Assert.Equal(dtype, file.Tensors["t"].DType);
        Assert.Equal(Bytes(original), Bytes(read));
    }

    [Fact]
    public void MixedDTypesInOneFileRoundTripAndStartAlignedToTheirElementSize()
    {
        var dtypes = Enum.GetValues<StorageDType>();
        // Odd element counts, smallest types first: a naive layout would leave the wider types misaligned.
        var originals = dtypes.Select((d, i) => Named($"t{i}.{d}", RandomTensor(d, [3, 1 + 2 * i], seed: i))).Reverse().ToList();
        var path = _dir.File("mixed.safetensors");
        try
        {
            SafetensorsWriter.Write(path, originals);
            using var file = SafetensorsFile.Open(path);

            Assert.Equal(originals.Count, file.Tensors.Count);
            foreach (var (name, original) in originals)
            {
                var entry = file.Tensors[name];
                Assert.Equal(0, entry.DataOffset % StorageDTypes.ElementSize(entry.DType));
                using var read = file.Read(name);
                Assert.Equal(Bytes(original), Bytes(read));
            }
        }
        finally
        {
            originals.ForEach(t => t.Value.Dispose());
        }
    }

    [Fact]
    public void HalfPrecisionValuesSurviveTheRoundTrip()
    {
        float[] values = [1.5f, -2.25f, 0f, 65504f, float.NegativeInfinity];
        using var source = torch.tensor(values);
        using var bf16 = source.to(torch.ScalarType.BFloat16);
        using var f16 = source.to(torch.ScalarType.Float16);
        var path = _dir.File("half.safetensors");

        SafetensorsWriter.Write(path, [Named("bf16", bf16), Named("f16", f16)]);
        using var file = SafetensorsFile.Open(path);
        using var readBf16 = file.Read("bf16");
        using var readF16 = file.Read("f16");
        using var bf16Values = readBf16.to(torch.ScalarType.Float32);
        using var f16Values = readF16.to(torch.ScalarType.Float32);

        Assert.Equal(torch.ScalarType.BFloat16, readBf16.dtype);
        Assert.Equal(torch.ScalarType.Float16, readF16.dtype);
        // 65504 is F16's largest value; BF16 rounds it to 65536 (8 significant bits).
        Assert.Equal([1.5f, -2.25f, 0f, 65536f, float.NegativeInfinity], bf16Values.data<float>().ToArray());
        Assert.Equal(values, f16Values.data<float>().ToArray());
    }

    [Fact]
    public void NonContiguousTensorIsWrittenInLogicalRowMajorOrder()
    {
        using var matrix = torch.arange(6, torch.ScalarType.Int32).reshape(2, 3);
        using var transposed = matrix.t();
        var path = _dir.File("transposed.safetensors");

        SafetensorsWriter.Write(path, [Named("t", transposed)]);
        using var file = SafetensorsFile.Open(path);
        using var read = file.Read("t");

        Assert.Equal([3L, 2L], read.shape);
        Assert.Equal([0, 3, 1, 4, 2, 5], read.data<int>().ToArray());
    }

    [Fact]
    public void SliceIsWrittenAsItselfNotAsTheStorageItViews()
    {
        using var matrix = torch.arange(12, torch.ScalarType.Int64).reshape(4, 3);
        // Contiguous but starting 6 elements into its storage: its bytes must start there too.
        using var rows = matrix.narrow(0, 2, 2);
        var path = _dir.File("slice.safetensors");

        SafetensorsWriter.Write(path, [Named("rows", rows)]);
        using var file = SafetensorsFile.Open(path);
        using var read = file.Read("rows");

        Assert.Equal([6L, 7L, 8L, 9L, 10L, 11L], read.data<long>().ToArray());
    }

    [Fact]
    public void ParameterThatRequiresGradIsWrittenAndLeftUsable()
    {
        using var values = torch.tensor(new[] { 0.5f, -1f, 3f });
        using var parameter = new TorchSharp.Modules.Parameter(values, requires_grad: true);
        var path = _dir.File("parameter.safetensors");

        SafetensorsWriter.Write(path, [Named("p", parameter)]);
        using var file = SafetensorsFile.Open(path);
        using var read = file.Read("p");

        Assert.Equal([0.5f, -1f, 3f], read.data<float>().ToArray());
        Assert.True(parameter.requires_grad);
        Assert.Equal([0.5f, -1f, 3f], parameter.data<float>().ToArray());
    }

    [Fact]
    public void ReadTensorOwnsItsMemoryAfterTheFileIsClosed()
    {
        using var original = RandomTensor(StorageDType.F32, [4, 4], seed: 3);
        var path = _dir.File("owned.safetensors");
        SafetensorsWriter.Write(path, [Named("t", original)]);

        torch.Tensor read;
        using (var file = SafetensorsFile.Open(path))
        {
            read = file.Read("t");
        }
        File.Delete(path);

        using (read)
        {
            Assert.Equal(Bytes(original), Bytes(read));
        }
    }

    [Fact]
    public void MetadataDefaultsToFormatPtAndKeepsCallerEntries()
    {
        using var t = torch.zeros(2);
        var plain = _dir.File("plain.safetensors");
        var tagged = _dir.File("tagged.safetensors");

        SafetensorsWriter.Write(plain, [Named("t", t)]);
        SafetensorsWriter.Write(tagged, [Named("t", t)], new Dictionary<string, string> { ["step"] = "12", ["teacher"] = "qwen" });
        using var plainFile = SafetensorsFile.Open(plain);
        using var taggedFile = SafetensorsFile.Open(tagged);

        Assert.Equal(new Dictionary<string, string> { ["format"] = "pt" }, plainFile.Metadata);
        Assert.Equal(new Dictionary<string, string> { ["format"] = "pt", ["step"] = "12", ["teacher"] = "qwen" }, taggedFile.Metadata);
    }

    [Fact]
    public void RewritingReplacesTheFileAndLeavesNoTemporaryFiles()
    {
        using var first = torch.ones(100);
        using var second = torch.full(3, 2.0f);
        var path = _dir.File("model.safetensors");

        SafetensorsWriter.Write(path, [Named("a", first)]);
        SafetensorsWriter.Write(path, [Named("b", second)]);
        using var file = SafetensorsFile.Open(path);
        using var read = file.Read("b");

        Assert.Equal(["b"], file.Tensors.Keys);
        Assert.Equal([2f, 2f, 2f], read.data<float>().ToArray());
        Assert.Equal(["model.safetensors"], _dir.FileNames());
    }

    [Fact]
    public void InvalidTensorsAreRefusedBeforeAnyFileIsWritten()
    {
        using var t = torch.zeros(2);
        using var complex = torch.zeros(2, torch.ScalarType.ComplexFloat32);
        var path = _dir.File("never.safetensors");

        var duplicate = Assert.Throws<ArgumentException>(() => SafetensorsWriter.Write(path, [Named("x", t), Named("x", t)]));
        var reserved = Assert.Throws<ArgumentException>(() => SafetensorsWriter.Write(path, [Named("__metadata__", t)]));
        var unsupported = Assert.Throws<ArgumentException>(() => SafetensorsWriter.Write(path, [Named("c", complex)]));

        Assert.Contains("'x'", duplicate.Message);
        Assert.Contains("__metadata__", reserved.Message);
        Assert.Contains("'c'", unsupported.Message);
        Assert.Empty(_dir.FileNames());
    }

    [Fact]
    public void ReadingAnAbsentTensorNamesItAndTheFile()
    {
        using var t = torch.zeros(2);
        var path = _dir.File("present.safetensors");
        SafetensorsWriter.Write(path, [Named("present", t)]);
        using var file = SafetensorsFile.Open(path);

        var ex = Assert.Throws<CheckpointFormatException>(() => file.Read("absent"));

        Assert.Contains("present.safetensors", ex.Message);
        Assert.Contains("'absent'", ex.Message);
    }
}
