using Avocado.Models.Config;
using Avocado.Models.Layers;
using Avocado.Models.Vision;

namespace Avocado.Models.Tests.Vision;

/// <summary>The published towers build, on the meta device, exactly the tensor names and shapes of the published
/// checkpoints. The names are those of transformers' Qwen3VLVisionModel under <c>model.visual.</c> (the hub's
/// safetensors index was not reachable offline, so the list is derived from modeling_qwen3_vl.py; spot shapes of
/// Qwen3-VL-4B — qkv [3072, 1024], merger.linear_fc1 [4096, 4096], merger.linear_fc2 [2560, 4096], pos_embed
/// [2304, 1024] — agree with third-party listings of the real files).</summary>
public class Qwen3VLVisionLayoutTests
{
    /// <summary>vision_config of Qwen/Qwen3-VL-4B-Instruct's config.json (transformers 4.57).</summary>
    const string Published4BConfig = """
    {
      "architectures": ["Qwen3VLForConditionalGeneration"], "model_type": "qwen3_vl",
      "text_config": { "hidden_size": 2560, "num_hidden_layers": 36, "model_type": "qwen3_vl_text" },
      "vision_config": {
        "deepstack_visual_indexes": [5, 11, 17], "depth": 24, "hidden_act": "gelu_pytorch_tanh", "hidden_size": 1024,
        "in_channels": 3, "initializer_range": 0.02, "intermediate_size": 4096, "model_type": "qwen3_vl", "num_heads": 16,
        "num_position_embeddings": 2304, "out_hidden_size": 2560, "patch_size": 16, "spatial_merge_size": 2,
        "temporal_patch_size": 2
      }
    }
    """;

    [Theory]
    [InlineData("2B", 24, 1024, 4096, 2048, new[] { 5, 11, 17 })]
    [InlineData("4B", 24, 1024, 4096, 2560, new[] { 5, 11, 17 })]
    [InlineData("8B", 27, 1152, 4304, 4096, new[] { 8, 16, 24 })]
    public void Published_towers_have_the_checkpoint_names_and_shapes(string size, int depth, int hidden, int mlp, int outHidden, int[] deepstack)
    {
        var config = size switch { "2B" => Qwen3VLVisionConfig.Qwen3VL2B, "4B" => Qwen3VLVisionConfig.Qwen3VL4B, _ => Qwen3VLVisionConfig.Qwen3VL8B };
        Assert.Equal(deepstack, config.DeepstackVisualIndexes);
        var e = new Dictionary<string, long[]>
        {
            ["patch_embed.proj.weight"] = [hidden, 3, 2, 16, 16], ["patch_embed.proj.bias"] = [hidden],
            ["pos_embed.weight"] = [2304, hidden],
        };
        for (int i = 0; i < depth; i++)
        {
            var b = $"blocks.{i}.";
            foreach (var norm in new[] { "norm1", "norm2" }) { e[b + norm + ".weight"] = [hidden]; e[b + norm + ".bias"] = [hidden]; }
            e[b + "attn.qkv.weight"] = [3 * hidden, hidden]; e[b + "attn.qkv.bias"] = [3 * hidden];
            e[b + "attn.proj.weight"] = [hidden, hidden]; e[b + "attn.proj.bias"] = [hidden];
            e[b + "mlp.linear_fc1.weight"] = [mlp, hidden]; e[b + "mlp.linear_fc1.bias"] = [mlp];
            e[b + "mlp.linear_fc2.weight"] = [hidden, mlp]; e[b + "mlp.linear_fc2.bias"] = [hidden];
        }
        int group = 4 * hidden;
        void Merger(string m, int normWidth)
        {
            e[m + "norm.weight"] = [normWidth]; e[m + "norm.bias"] = [normWidth];
            e[m + "linear_fc1.weight"] = [group, group]; e[m + "linear_fc1.bias"] = [group];
            e[m + "linear_fc2.weight"] = [outHidden, group]; e[m + "linear_fc2.bias"] = [outHidden];
        }
        Merger("merger.", hidden);                                                     // norm before the 2×2 grouping
        for (int j = 0; j < deepstack.Length; j++) Merger($"deepstack_merger_list.{j}.", group); // norm after it

        using var tower = new Qwen3VLVisionModel(config, TensorFactory.Meta());
        var actual = VisionWeights.Expected(tower, Qwen3VLVisionModel.CheckpointPrefix).ToDictionary(t => t.Name, t => t.Shape);
        var expected = e.ToDictionary(p => "model.visual." + p.Key, p => p.Value);
        Assert.Empty(expected.Keys.Except(actual.Keys));
        Assert.Empty(actual.Keys.Except(expected.Keys));
        foreach (var (name, shape) in expected) Assert.True(shape.SequenceEqual(actual[name]), $"{name}: [{string.Join(",", actual[name])}]");
    }

    [Fact]
    public void The_published_config_json_parses_to_the_4B_preset()
    {
        var parsed = Qwen3VLVisionConfig.Parse(Published4BConfig, "config.json");
        var preset = Qwen3VLVisionConfig.Qwen3VL4B;
        Assert.Equal(preset with { DeepstackVisualIndexes = parsed.DeepstackVisualIndexes }, parsed);
        Assert.Equal(preset.DeepstackVisualIndexes, parsed.DeepstackVisualIndexes);
        Assert.Equal(64, parsed.HeadDim);
        Assert.Equal(48, parsed.PositionGridSide);
    }

    [Theory]
    [InlineData("""{"num_heads": 5}""", "num_heads")]
    [InlineData("""{"hidden_size": 60, "num_heads": 10}""", "num_heads")]     // head_dim 6 is not a multiple of 4
    [InlineData("""{"num_position_embeddings": 2300}""", "num_position_embeddings")]
    [InlineData("""{"deepstack_visual_indexes": [8, 27]}""", "deepstack_visual_indexes")]
    [InlineData("""{"hidden_act": "silu"}""", "hidden_act")]
    [InlineData("""{"patch_size": "16"}""", "patch_size")]
    public void Invalid_configs_name_the_field(string json, string field)
    {
        var e = Assert.Throws<ConfigException>(() => Qwen3VLVisionConfig.Parse("""{"vision_config": """ + json + "}", "cfg.json"));
        Assert.Contains($"'{field}'", e.Message);
        Assert.Contains("cfg.json vision_config", e.Message);
    }

    [Theory]
    [InlineData(1080, 1920, 68, 120, 2040)]  // a 1080p photo: 1088×1920 pixels, one token per 32×32
    [InlineData(200, 300, 14, 20, 70)]       // below 256² pixels: scaled up to 224×320
    public void Tokens_per_image_are_the_grid_over_the_merge_area(int height, int width, int gridH, int gridW, int tokens)
    {
        var processor = Qwen3VLImageProcessor.For(Qwen3VLVisionConfig.Qwen3VL2B);
        var (h, w) = Qwen3VLImageProcessor.SmartResize(height, width, processor.Factor, processor.MinPixels, processor.MaxPixels);
        var grid = new VisionGrid(1, h / processor.PatchSize, w / processor.PatchSize);
        Assert.Equal((gridH, gridW), (grid.H, grid.W));
        Assert.Equal(tokens, grid.MergedTokens(processor.MergeSize));
    }
}
