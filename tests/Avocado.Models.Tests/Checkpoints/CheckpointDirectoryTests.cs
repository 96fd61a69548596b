using System.Text.Json;
using System.Text.Json.Nodes;
using TorchSharp;
using static Avocado.Models.Checkpoints.TestTensors;

namespace Avocado.Models.Checkpoints;

public sealed class CheckpointDirectoryTests : IDisposable
{
    private const string Index = "model.safetensors.index.json";

    private readonly TempDir _dir = new();
    private readonly List<KeyValuePair<string, torch.Tensor>> _tensors = [];

    public void Dispose()
    {
        _tensors.ForEach(t => t.Value.Dispose());
        _dir.Dispose();
    }

    [Fact]
    public void SmallCheckpointIsOneModelFile()
    {
        var tensors = Tensors(3, elements: 10);

        SafetensorsWriter.WriteCheckpoint(_dir.Path, tensors);
        using var reader = CheckpointReader.Open(_dir.Path);

        AssertFiles(["model.safetensors"]);
        Assert.Equal(_dir.Path, reader.Directory);
        AssertReadsBack(reader, tensors);
    }

    [Fact]
    public void LargeCheckpointIsShardedWithAnIndexAndReadsBack()
    {
        // Five 40-byte tensors under a 100-byte limit: two per shard, the last one alone.
        var tensors = Tensors(5, elements: 10);

        SafetensorsWriter.WriteCheckpoint(_dir.Path, tensors, maxShardBytes: 100);

        AssertFiles([Shard(1, 3), Shard(2, 3), Shard(3, 3), Index]);
        var index = JsonNode.Parse(File.ReadAllText(_dir.File(Index)))!;
        Assert.Equal(200, index["metadata"]!["total_size"]!.GetValue<long>());
        var weightMap = index["weight_map"]!.AsObject().ToDictionary(p => p.Key, p => p.Value!.GetValue<string>());
        Assert.Equal(new Dictionary<string, string>
        {
            ["t0"] = Shard(1, 3), ["t1"] = Shard(1, 3), ["t2"] = Shard(2, 3), ["t3"] = Shard(2, 3), ["t4"] = Shard(3, 3),
        }, weightMap);

        using var reader = CheckpointReader.Open(_dir.Path);
        Assert.Equal(_dir.File(Shard(3, 3)), reader.Tensors["t4"].FilePath);
        AssertReadsBack(reader, tensors);
        using var shard = SafetensorsFile.Open(_dir.File(Shard(2, 3)));
        Assert.Equal("pt", shard.Metadata["format"]);
    }

    [Fact]
    public void TensorLargerThanTheShardLimitGetsAShardOfItsOwn()
    {
        var small = Add("small", 10);
        var big = Add("big", 100);
        var last = Add("last", 10);

        SafetensorsWriter.WriteCheckpoint(_dir.Path, [small, big, last], maxShardBytes: 100);
        using var reader = CheckpointReader.Open(_dir.Path);

        Assert.Equal(_dir.File(Shard(1, 3)), reader.Tensors["small"].FilePath);
        Assert.Equal(_dir.File(Shard(2, 3)), reader.Tensors["big"].FilePath);
        Assert.Equal(_dir.File(Shard(3, 3)), reader.Tensors["last"].FilePath);
        AssertReadsBack(reader, [small, big, last]);
    }

    [Fact]
    public void RewritingNeverLeavesFilesOfTheEarlierCheckpointBehind()
    {
        File.WriteAllText(_dir.File("config.json"), "{}");
        File.WriteAllText(_dir.File("model_ema.safetensors"), "not ours");
        var tensors = Tensors(5, elements: 10);
        string[] unrelated = ["config.json", "model_ema.safetensors"];

        SafetensorsWriter.WriteCheckpoint(_dir.Path, tensors, maxShardBytes: 100);
        SafetensorsWriter.WriteCheckpoint(_dir.Path, tensors, maxShardBytes: 150);
        AssertFiles([.. unrelated, Shard(1, 2), Shard(2, 2), Index]);

        SafetensorsWriter.WriteCheckpoint(_dir.Path, tensors);
        AssertFiles([.. unrelated, "model.safetensors"]);

        SafetensorsWriter.WriteCheckpoint(_dir.Path, tensors, maxShardBytes: 100);
        AssertFiles([.. unrelated, Shard(1, 3), Shard(2, 3), Shard(3, 3), Index]);
        using var reader = CheckpointReader.Open(_dir.Path);
        AssertReadsBack(reader, tensors);
    }

    [Fact]
    public void OpensASingleFileByPath()
    {
        var tensors = Tensors(2, elements: 3);
        var path = _dir.File("weights.safetensors");
        SafetensorsWriter.Write(path, tensors);

        using var reader = CheckpointReader.Open(path);

        Assert.Equal(_dir.Path, reader.Directory);
        AssertReadsBack(reader, tensors);
    }

    [Fact]
    public void DirectoryWithoutACheckpointIsNotFound()
    {
        var ex = Assert.Throws<FileNotFoundException>(() => CheckpointReader.Open(_dir.Path));

        Assert.Contains(_dir.Path, ex.Message);
    }

    [Fact]
    public void AbsentTensorIsNamedInTheError()
    {
        SafetensorsWriter.WriteCheckpoint(_dir.Path, Tensors(3, elements: 10), maxShardBytes: 50);
        using var reader = CheckpointReader.Open(_dir.Path);

        var ex = Assert.Throws<CheckpointFormatException>(() => reader.Read("lm_head.weight"));

        Assert.Contains(Index, ex.Message);
        Assert.Equal("lm_head.weight", ex.TensorName);
    }

    [Fact]
    public void IndexNamingAMissingShardIsRefused()
    {
        SafetensorsWriter.WriteCheckpoint(_dir.Path, Tensors(3, elements: 10), maxShardBytes: 50);
        File.Delete(_dir.File(Shard(2, 3)));

        var ex = Assert.Throws<CheckpointFormatException>(() => CheckpointReader.Open(_dir.Path));

        Assert.Contains(Index, ex.Message);
        Assert.Contains(Shard(2, 3), ex.Message);
        Assert.Contains("does not exist", ex.Message);
        Assert.Equal("t1", ex.TensorName);
    }

    [Fact]
    public void IndexNamingATensorItsShardLacksIsRefused()
    {
        SafetensorsWriter.WriteCheckpoint(_dir.Path, Tensors(3, elements: 10), maxShardBytes: 50);
        EditWeightMap(map => map["ghost"] = Shard(2, 3));

        var ex = Assert.Throws<CheckpointFormatException>(() => CheckpointReader.Open(_dir.Path));

        Assert.Contains(Index, ex.Message);
        Assert.Contains($"{Shard(2, 3)}, which does not contain it", ex.Message);
        Assert.Equal("ghost", ex.TensorName);
    }

    [Fact]
    public void TensorStoredInTwoShardsIsRefused()
    {
        var x = Add("x", 2);
        var y = Add("y", 2);
        var z = Add("z", 2);
        SafetensorsWriter.Write(_dir.File("a.safetensors"), [x, y]);
        SafetensorsWriter.Write(_dir.File("b.safetensors"), [x, z]);
        File.WriteAllText(_dir.File(Index), """{"metadata":{},"weight_map":{"x":"a.safetensors","y":"a.safetensors","z":"b.safetensors"}}""");

        var ex = Assert.Throws<CheckpointFormatException>(() => CheckpointReader.Open(_dir.Path));

        Assert.Contains(Index, ex.Message);
        Assert.Contains("both a.safetensors and b.safetensors", ex.Message);
        Assert.Equal("x", ex.TensorName);
    }

    [Fact]
    public void IndexWithAPathForAShardIsRefused()
    {
        SafetensorsWriter.WriteCheckpoint(_dir.Path, Tensors(3, elements: 10), maxShardBytes: 50);
        EditWeightMap(map => map["t0"] = "../" + Shard(1, 3));

        var ex = Assert.Throws<CheckpointFormatException>(() => CheckpointReader.Open(_dir.Path));

        Assert.Contains("not a shard file name", ex.Message);
        Assert.Equal("t0", ex.TensorName);
    }

    [Fact]
    public void IndexThatIsNotJsonIsRefused()
    {
        File.WriteAllText(_dir.File(Index), "{\"weight_map\": ");

        var ex = Assert.Throws<CheckpointFormatException>(() => CheckpointReader.Open(_dir.Path));

        Assert.Contains(Index, ex.Message);
        Assert.Contains("not valid JSON", ex.Message);
    }

    [Fact]
    public void MalformedShardIsReportedByItsOwnName()
    {
        SafetensorsWriter.WriteCheckpoint(_dir.Path, Tensors(3, elements: 10), maxShardBytes: 50);
        var shard = _dir.File(Shard(3, 3));
        File.WriteAllBytes(shard, File.ReadAllBytes(shard)[..^4]);

        var ex = Assert.Throws<CheckpointFormatException>(() => CheckpointReader.Open(_dir.Path));

        Assert.Equal(shard, ex.FilePath);
        Assert.Contains("truncated", ex.Message);
    }

    /// <summary>Exactly these files: no leftover of an earlier checkpoint, no temporary file.</summary>
    private void AssertFiles(string[] expected) => Assert.Equal(expected.Order(StringComparer.Ordinal), _dir.FileNames());

    private static string Shard(int number, int count) => $"model-{number:D5}-of-{count:D5}.safetensors";

    private KeyValuePair<string, torch.Tensor> Add(string name, long elements)
    {
        var tensor = Named(name, RandomTensor(StorageDType.F32, [elements], seed: _tensors.Count));
        _tensors.Add(tensor);
        return tensor;
    }

    private List<KeyValuePair<string, torch.Tensor>> Tensors(int count, long elements) =>
        Enumerable.Range(0, count).Select(i => Add($"t{i}", elements)).ToList();

    private static void AssertReadsBack(CheckpointReader reader, IReadOnlyCollection<KeyValuePair<string, torch.Tensor>> expected)
    {
        Assert.Equal(expected.Select(t => t.Key).Order(), reader.Tensors.Keys.Order());
        foreach (var (name, tensor) in expected)
        {
            using var read = reader.Read(name);
            Assert.Equal(tensor.shape, read.shape);
            Assert.Equal(Bytes(tensor), Bytes(read));
        }
    }

    private void EditWeightMap(Action<JsonObject> edit)
    {
        var index = JsonNode.Parse(File.ReadAllText(_dir.File(Index)))!;
        edit(index["weight_map"]!.AsObject());
        File.WriteAllText(_dir.File(Index), index.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }
}
