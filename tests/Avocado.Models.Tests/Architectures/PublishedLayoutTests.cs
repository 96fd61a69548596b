using Avocado.Models.Checkpoints;
using Avocado.Models.Config;
using Avocado.Models.Layers;

namespace Avocado.Models.Tests.Architectures;

/// <summary>Real published configs build, on the meta device, exactly the tensor names and shapes of the published
/// checkpoints (as listed in the model cards' safetensors indexes; see shared/specs/model-families.md).</summary>
public class PublishedLayoutTests
{
    /// <summary>A published config.json copied from the model's Hugging Face repository (Data/published/NAME.json).</summary>
    static string PublishedConfig(string name) => Path.Combine(AppContext.BaseDirectory, "Data", "published", name + ".json");

    static Dictionary<string, long[]> Layout(string configName)
    {
        var config = ConfigLoader.Parse(File.ReadAllText(PublishedConfig(configName)), configName);
        using var model = ModelFactory.Create(config, TensorFactory.Meta());
        return CheckpointLayout.Expected(model, CheckpointLayout.UsesMxfp4(config)).ToDictionary(t => t.Name, t => t.Shape);
    }

    static void AssertLayout(Dictionary<string, long[]> expected, Dictionary<string, long[]> actual)
    {
        Assert.Empty(expected.Keys.Except(actual.Keys));
        Assert.Empty(actual.Keys.Except(expected.Keys));
        foreach (var (name, shape) in expected) Assert.True(shape.SequenceEqual(actual[name]), $"{name}: [{string.Join(",", actual[name])}]");
    }

    [Fact]
    public void Qwen3_0_6B()
    {
        var e = new Dictionary<string, long[]> { ["model.embed_tokens.weight"] = [151936, 1024], ["model.norm.weight"] = [1024] };
        for (int i = 0; i < 28; i++)
        {
            var p = $"model.layers.{i}.";
            e[p + "self_attn.q_proj.weight"] = [2048, 1024];
            e[p + "self_attn.k_proj.weight"] = [1024, 1024];
            e[p + "self_attn.v_proj.weight"] = [1024, 1024];
            e[p + "self_attn.o_proj.weight"] = [1024, 2048];
            e[p + "self_attn.q_norm.weight"] = [128];
            e[p + "self_attn.k_norm.weight"] = [128];
            e[p + "mlp.gate_proj.weight"] = [3072, 1024];
            e[p + "mlp.up_proj.weight"] = [3072, 1024];
            e[p + "mlp.down_proj.weight"] = [1024, 3072];
            e[p + "input_layernorm.weight"] = [1024];
            e[p + "post_attention_layernorm.weight"] = [1024];
        }
        AssertLayout(e, Layout("qwen3-0.6b"));
    }

    [Theory]
    [InlineData("gemma-3-270m", 640, 2048, 18)]
    [InlineData("gemma-3-1b", 1152, 6912, 26)]
    public void Gemma3(string name, int hidden, int inter, int layers)
    {
        var e = new Dictionary<string, long[]> { ["model.embed_tokens.weight"] = [262144, hidden], ["model.norm.weight"] = [hidden] };
        for (int i = 0; i < layers; i++)
        {
            var p = $"model.layers.{i}.";
            e[p + "self_attn.q_proj.weight"] = [1024, hidden];
            e[p + "self_attn.k_proj.weight"] = [256, hidden];
            e[p + "self_attn.v_proj.weight"] = [256, hidden];
            e[p + "self_attn.o_proj.weight"] = [hidden, 1024];
            e[p + "self_attn.q_norm.weight"] = [256];
            e[p + "self_attn.k_norm.weight"] = [256];
            e[p + "mlp.gate_proj.weight"] = [inter, hidden];
            e[p + "mlp.up_proj.weight"] = [inter, hidden];
            e[p + "mlp.down_proj.weight"] = [hidden, inter];
            foreach (var n in new[] { "input_layernorm", "post_attention_layernorm", "pre_feedforward_layernorm", "post_feedforward_layernorm" })
                e[p + n + ".weight"] = [hidden];
        }
        AssertLayout(e, Layout(name));
    }

    [Fact]
    public void Gemma3_layer_pattern_is_five_sliding_then_one_full()
    {
        foreach (var name in new[] { "gemma-3-270m", "gemma-3-1b" })
        {
            var c = (Gemma3Config)ConfigLoader.Parse(File.ReadAllText(PublishedConfig(name)));
            Assert.Equal(c.NumHiddenLayers, c.EffectiveLayerTypes.Count);
            for (int i = 0; i < c.NumHiddenLayers; i++) Assert.Equal((i + 1) % 6 == 0, !c.IsSliding(i));
            Assert.Equal(512, c.SlidingWindowSize);
        }
    }

    [Fact]
    public void GptOss_20b_with_mxfp4_experts()
    {
        var e = new Dictionary<string, long[]>
        {
            ["model.embed_tokens.weight"] = [201088, 2880], ["model.norm.weight"] = [2880], ["lm_head.weight"] = [201088, 2880],
        };
        for (int i = 0; i < 24; i++)
        {
            var p = $"model.layers.{i}.";
            e[p + "input_layernorm.weight"] = [2880];
            e[p + "post_attention_layernorm.weight"] = [2880];
            e[p + "self_attn.q_proj.weight"] = [4096, 2880]; e[p + "self_attn.q_proj.bias"] = [4096];
            e[p + "self_attn.k_proj.weight"] = [512, 2880]; e[p + "self_attn.k_proj.bias"] = [512];
            e[p + "self_attn.v_proj.weight"] = [512, 2880]; e[p + "self_attn.v_proj.bias"] = [512];
            e[p + "self_attn.o_proj.weight"] = [2880, 4096]; e[p + "self_attn.o_proj.bias"] = [2880];
            e[p + "self_attn.sinks"] = [64];
            e[p + "mlp.router.weight"] = [32, 2880]; e[p + "mlp.router.bias"] = [32];
            e[p + "mlp.experts.gate_up_proj_blocks"] = [32, 5760, 90, 16];
            e[p + "mlp.experts.gate_up_proj_scales"] = [32, 5760, 90];
            e[p + "mlp.experts.gate_up_proj_bias"] = [32, 5760];
            e[p + "mlp.experts.down_proj_blocks"] = [32, 2880, 90, 16];
            e[p + "mlp.experts.down_proj_scales"] = [32, 2880, 90];
            e[p + "mlp.experts.down_proj_bias"] = [32, 2880];
        }
        var actual = Layout("gpt-oss-20b");
        AssertLayout(e, actual);
        Assert.Equal(459, actual.Count);
        var config = (GptOssConfig)ConfigLoader.Parse(File.ReadAllText(PublishedConfig("gpt-oss-20b")));
        Assert.True(config.IsSliding(0));
        Assert.False(config.IsSliding(1));
    }

    [Fact]
    public void Mxfp4_tensors_are_stored_as_bytes()
    {
        var config = ConfigLoader.Parse(File.ReadAllText(PublishedConfig("gpt-oss-20b")));
        using var model = ModelFactory.Create(config, TensorFactory.Meta());
        var stored = CheckpointLayout.Expected(model, true);
        Assert.All(stored.Where(t => t.Name.EndsWith("_blocks") || t.Name.EndsWith("_scales")), t => Assert.Equal(StorageDType.U8, t.DType));
    }

    [Theory]
    [InlineData("qwen3-0.6b", 596_049_920L)]    // 440M non-embedding + 155.6M embedding (tied)
    [InlineData("gemma-3-270m", 268_098_176L)]  // model card: 270M (170M embedding)
    public void Parameter_counts_match_the_published_models(string name, long expected)
    {
        var config = ConfigLoader.Parse(File.ReadAllText(PublishedConfig(name)));
        using var model = ModelFactory.Create(config, TensorFactory.Meta());
        Assert.Equal(expected, model.parameters().Sum(p => p.numel()));
    }
}
