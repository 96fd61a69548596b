using Avocado.Models.Checkpoints;
using Avocado.Models.Config;
using TorchSharp;
using static TorchSharp.torch;

namespace Avocado.Models.Tests.Architectures;

public class CheckpointRoundTripTests
{
    [Theory]
    [MemberData(nameof(TinyCheckpoints.Families), MemberType = typeof(TinyCheckpoints))]
    public void Write_then_read_gives_identical_tensors_and_logits(string family)
    {
        var dir = TinyCheckpoints.Get(family);
        using var model = ModelLoader.Load(dir);
        var copy = TinyCheckpoints.NewTempDir();
        ModelSaver.Save(model, copy, ScalarType.Float32); // float experts: the dequantised layout
        using var reloaded = ModelLoader.Load(copy);
        var a = model.state_dict();
        var b = reloaded.state_dict();
        Assert.Equal(a.Keys.OrderBy(k => k), b.Keys.OrderBy(k => k));
        foreach (var (name, t) in a) Assert.True(TensorAssert.Same(t, b[name]), name);
        long[] ids = [3, 1, 4, 1, 5, 9, 2, 6];
        Assert.Equal(0, Tensors.MaxAbsDiff(model.Logits(ids), reloaded.Logits(ids)));
    }

    [Fact]
    public void Init_is_deterministic_per_seed()
    {
        var a = TinyCheckpoints.NewTempDir();
        var b = TinyCheckpoints.NewTempDir();
        ModelInit.WriteTiny("gemma3", a, seed: 5);
        ModelInit.WriteTiny("gemma3", b, seed: 5);
        Assert.Equal(File.ReadAllBytes(Path.Combine(a, "model.safetensors")), File.ReadAllBytes(Path.Combine(b, "model.safetensors")));
        var c = TinyCheckpoints.NewTempDir();
        ModelInit.WriteTiny("gemma3", c, seed: 6);
        Assert.NotEqual(File.ReadAllBytes(Path.Combine(a, "model.safetensors")), File.ReadAllBytes(Path.Combine(c, "model.safetensors")));
    }

    [Fact]
    public void Bf16_checkpoint_loads_into_float32_with_bf16_rounding_only()
    {
        var dir = TinyCheckpoints.Get("qwen3");
        using var model = ModelLoader.Load(dir);
        var bf16 = TinyCheckpoints.NewTempDir();
        ModelSaver.Save(model, bf16, ScalarType.BFloat16);
        using var reader = CheckpointReader.Open(bf16);
        Assert.All(reader.Tensors.Values, t => Assert.Equal(StorageDType.BF16, t.DType));
        Assert.Equal("bfloat16", ConfigLoader.Load(bf16).TorchDtype);
        using var reloaded = ModelLoader.Load(bf16);
        foreach (var (name, p) in model.named_parameters())
            Assert.True(TensorAssert.Same(p.to(ScalarType.BFloat16).to(ScalarType.Float32), reloaded.state_dict()[name]), name);
    }

    [Fact]
    public void Sharded_checkpoints_load()
    {
        using var model = ModelLoader.Load(TinyCheckpoints.Get("gpt-oss"));
        var dir = TinyCheckpoints.NewTempDir();
        ModelSaver.Save(model, dir, ScalarType.Float32);
        File.Delete(Path.Combine(dir, "model.safetensors"));
        SafetensorsWriter.WriteCheckpoint(dir, model.state_dict().Select(kv => new KeyValuePair<string, Tensor>(kv.Key, kv.Value)).ToList(), maxShardBytes: 200_000);
        Assert.True(File.Exists(Path.Combine(dir, "model.safetensors.index.json")));
        Assert.True(Directory.GetFiles(dir, "model-*-of-*.safetensors").Length > 1);
        using var reloaded = ModelLoader.Load(dir);
        long[] ids = [1, 2, 3];
        Assert.Equal(0, Tensors.MaxAbsDiff(model.Logits(ids), reloaded.Logits(ids)));
    }

    static string CopyWith(string source, Func<Dictionary<string, Tensor>, Dictionary<string, Tensor>> edit)
    {
        var dir = TinyCheckpoints.NewTempDir();
        File.Copy(Path.Combine(source, "config.json"), Path.Combine(dir, "config.json"));
        using var reader = CheckpointReader.Open(source);
        var tensors = reader.Tensors.Keys.ToDictionary(k => k, k => reader.Read(k));
        SafetensorsWriter.Write(Path.Combine(dir, "model.safetensors"), edit(tensors).ToList());
        return dir;
    }

    [Fact]
    public void Missing_tensor_is_named()
    {
        var dir = CopyWith(TinyCheckpoints.Get("qwen3"), t => { t.Remove("model.layers.1.mlp.up_proj.weight"); return t; });
        var e = Assert.Throws<ModelLoadException>(() => ModelLoader.Load(dir));
        Assert.Contains("missing tensor 'model.layers.1.mlp.up_proj.weight'", e.Message);
    }

    [Fact]
    public void Misshaped_tensor_is_named_with_its_file_and_shapes()
    {
        var dir = CopyWith(TinyCheckpoints.Get("gemma3"), t => { t["model.norm.weight"] = zeros(63); return t; });
        var e = Assert.Throws<ModelLoadException>(() => ModelLoader.Load(dir));
        Assert.Contains("'model.norm.weight' in model.safetensors has shape [63], expected [64]", e.Message);
    }

    [Fact]
    public void Unexpected_tensor_is_named()
    {
        var dir = CopyWith(TinyCheckpoints.Get("gpt-oss"), t => { t["model.layers.0.mlp.shared_expert.weight"] = zeros(2); return t; });
        var e = Assert.Throws<ModelLoadException>(() => ModelLoader.Load(dir));
        Assert.Contains("unexpected tensor 'model.layers.0.mlp.shared_expert.weight' in model.safetensors", e.Message);
    }

    [Fact]
    public void Multimodal_gemma_prefixes_are_understood()
    {
        var dir = CopyWith(TinyCheckpoints.Get("gemma3"), t => t.ToDictionary(
            kv => kv.Key.StartsWith("model.") ? "model.language_model." + kv.Key["model.".Length..] : kv.Key, kv => kv.Value)
            .Append(new("model.vision_tower.patch_embedding.weight", zeros(2))).ToDictionary());
        using var model = ModelLoader.Load(dir);
        using var original = ModelLoader.Load(TinyCheckpoints.Get("gemma3"));
        Assert.Equal(0, Tensors.MaxAbsDiff(model.Logits([5, 6, 7]), original.Logits([5, 6, 7])));
    }

    [Fact]
    public void Bad_config_field_is_named()
    {
        var dir = TinyCheckpoints.NewTempDir();
        File.WriteAllText(Path.Combine(dir, "config.json"), """{"model_type":"qwen3","vocab_size":10,"hidden_size":8,"intermediate_size":8,"num_hidden_layers":1,"num_attention_heads":3,"num_key_value_heads":2,"head_dim":4}""");
        var e = Assert.Throws<ConfigException>(() => ConfigLoader.Load(dir));
        Assert.Contains("'num_key_value_heads'", e.Message);
        File.WriteAllText(Path.Combine(dir, "config.json"), """{"model_type":"llama"}""");
        Assert.Contains("'model_type' is 'llama'", Assert.Throws<ConfigException>(() => ConfigLoader.Load(dir)).Message);
        File.WriteAllText(Path.Combine(dir, "config.json"), """{"model_type":"qwen3_vl","text_config":{},"vision_config":{}}""");
        Assert.Contains("language side that reads its tokens is not built yet", Assert.Throws<ConfigException>(() => ConfigLoader.Load(dir)).Message);
        File.WriteAllText(Path.Combine(dir, "config.json"), """{"model_type":"qwen3","hidden_size":"big"}""");
        Assert.Contains("hidden_size", Assert.Throws<ConfigException>(() => ConfigLoader.Load(dir)).Message);
    }
}
