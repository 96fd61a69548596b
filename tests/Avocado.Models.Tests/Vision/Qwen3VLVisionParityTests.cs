using Avocado.Models.Checkpoints;
using Avocado.Models.Config;
using Avocado.Models.Layers;
using Avocado.Models.Torch;
using Avocado.Models.Vision;
using TorchSharp;
using static TorchSharp.torch;
using Xunit.Abstractions;

namespace Avocado.Models.Tests.Vision;

/// <summary>The tiny Qwen3-VL tower with random weights against tests/parity/vision/qwen3_vl_reference.py, written
/// from transformers' modeling_qwen3_vl.py (a real conv3d, row-major grids permuted afterwards, one attention call
/// per frame group). Our weights travel to Python as safetensors under the published key names.</summary>
public class Qwen3VLVisionParityTests(ITestOutputHelper log)
{
    /// <summary>float32 end to end; measured max |Δ| is about 1e-6 (see docs/VISION-qwen3vl.md).</summary>
    const double Tolerance = 1e-4;

    static readonly Qwen3VLVisionConfig Config = Qwen3VLVisionConfig.Tiny;

    public static TheoryData<string, VisionGrid[]> Grids => new()
    {
        { "still image, non-square grid", [new VisionGrid(1, 4, 6)] },
        { "video, two temporal groups", [new VisionGrid(2, 6, 4)] },
        { "image and video in one call", [new VisionGrid(1, 8, 2), new VisionGrid(2, 4, 4)] },
    };

    [Theory]
    [MemberData(nameof(Grids))]
    public void Merged_tokens_and_deepstack_features_match_the_reference(string what, VisionGrid[] grids)
    {
        set_num_threads(1);
        using var dir = new TempDir();
        using var tower = RandomTower(seed: 7);
        using var scope = NewDisposeScope();
        var patches = RandomPatches(grids, seed: 11);

        SafetensorsWriter.Write(dir.File("weights.safetensors"), VisionWeights.Named(tower, Qwen3VLVisionModel.CheckpointPrefix));
        var gridRows = tensor(grids.SelectMany(g => new long[] { g.T, g.H, g.W }).ToArray(), [grids.Length, 3]);
        SafetensorsWriter.Write(dir.File("inputs.safetensors"), [new("patches", patches), new("grid_thw", gridRows)]);
        Qwen3VLReference.Run("tower", new
        {
            config = Config, weights = dir.File("weights.safetensors"), inputs = dir.File("inputs.safetensors"),
            output = dir.File("reference.safetensors"),
        }, dir, "torch", "numpy");
        var reference = Qwen3VLReference.ReadAll(dir.File("reference.safetensors"));

        using var output = tower.Forward(patches, grids);
        long tokens = grids.Sum(g => g.MergedTokens(Config.SpatialMergeSize));
        Assert.Equal([tokens, Config.OutHiddenSize], output.Merged.shape);
        Assert.Equal(Config.DeepstackVisualIndexes.Length, output.DeepStack.Count);
        var merged = Tensors.MaxAbsDiff(output.Merged, reference["merged"]);
        log.WriteLine($"{what}: merged max |Δ| {merged:E2}");
        Assert.True(merged <= Tolerance, $"{what}: merged tokens differ by {merged:E2}");
        for (int i = 0; i < output.DeepStack.Count; i++)
        {
            var diff = Tensors.MaxAbsDiff(output.DeepStack[i], reference[$"deepstack.{i}"]);
            log.WriteLine($"{what}: DeepStack {i} max |Δ| {diff:E2}");
            Assert.True(diff <= Tolerance, $"{what}: DeepStack feature {i} differs by {diff:E2}");
        }
        // The outputs carry signal: a tolerance met by near-zero tensors would prove nothing.
        Assert.True(output.Merged.abs().mean().item<float>() > 0.1f);
    }

    [Fact]
    public void Weights_load_back_from_the_checkpoint_and_give_the_same_outputs()
    {
        set_num_threads(1);
        using var dir = new TempDir();
        using var tower = RandomTower(seed: 3);
        SafetensorsWriter.Write(dir.File("model.safetensors"), VisionWeights.Named(tower, Qwen3VLVisionModel.CheckpointPrefix));
        using var loaded = new Qwen3VLVisionModel(Config, TensorFactory.Cpu());
        using (var reader = CheckpointReader.Open(dir.File("model.safetensors")))
            VisionWeights.Load(loaded, reader, Qwen3VLVisionModel.CheckpointPrefix);

        using var scope = NewDisposeScope();
        VisionGrid[] grids = [new(1, 4, 4)];
        var patches = RandomPatches(grids, seed: 5);
        using var expected = tower.Forward(patches, grids);
        using var actual = loaded.Forward(patches, grids);
        Assert.True(TensorAssert.Same(expected.Merged, actual.Merged));
    }

    [Fact]
    public void A_bfloat16_tower_runs_and_stays_close_to_float32()
    {
        set_num_threads(1);
        using var tower = RandomTower(seed: 9);
        using var half = new Qwen3VLVisionModel(Config, TensorFactory.Cpu(ScalarType.BFloat16));
        using (var _ = no_grad())
            foreach (var ((_, source), (_, target)) in tower.named_parameters().Zip(half.named_parameters())) target.copy_(source);
        using var scope = NewDisposeScope();
        VisionGrid[] grids = [new(2, 4, 4)];
        var patches = RandomPatches(grids, seed: 4);
        using var expected = tower.Forward(patches, grids);
        using var actual = half.Forward(patches, grids);
        Assert.Equal(ScalarType.BFloat16, actual.Merged.dtype);
        // bf16 keeps ~3 significant digits; through 3 blocks the outputs (|x| ~ 1) stay within a few hundredths.
        var diff = Tensors.MaxAbsDiff(expected.Merged, actual.Merged);
        log.WriteLine($"bf16 vs fp32 merged max |Δ| {diff:E2}");
        Assert.True(diff < 0.1, $"bf16 merged tokens differ from fp32 by {diff:E2}");
    }

    [Fact]
    public void Loading_a_checkpoint_of_another_size_names_every_mismatch()
    {
        using var dir = new TempDir();
        using var other = new Qwen3VLVisionModel(Config with { Depth = 4, DeepstackVisualIndexes = [0, 3], OutHiddenSize = 40 }, TensorFactory.Cpu());
        using (var scope = NewDisposeScope())
            SafetensorsWriter.Write(dir.File("model.safetensors"), VisionWeights.Named(other, Qwen3VLVisionModel.CheckpointPrefix).Select(p => new KeyValuePair<string, Tensor>(p.Key, zeros_like(p.Value))));
        using var tower = new Qwen3VLVisionModel(Config, TensorFactory.Cpu());
        using var reader = CheckpointReader.Open(dir.File("model.safetensors"));
        var e = Assert.Throws<ModelLoadException>(() => VisionWeights.Load(tower, reader, Qwen3VLVisionModel.CheckpointPrefix));
        Assert.Contains("unexpected tensor 'model.visual.blocks.3.norm1.weight'", e.Message);
        Assert.Contains("tensor 'model.visual.merger.linear_fc2.weight' in model.safetensors has shape [40, 128], expected [48, 128]", e.Message);
    }

    [Fact]
    public void Patches_that_do_not_fit_the_grids_are_refused_with_the_expected_shape()
    {
        using var tower = new Qwen3VLVisionModel(Config, TensorFactory.Cpu());
        using var patches = zeros(10, Config.PatchInputSize);
        var e = Assert.Throws<ArgumentException>(() => tower.Forward(patches, [new VisionGrid(1, 4, 4)]));
        Assert.Contains("[16, 96]", e.Message);
        Assert.Throws<ArgumentException>(() => tower.Forward(patches, [new VisionGrid(1, 5, 2)])); // 5 is not a multiple of the merge size
    }

    /// <summary>Deterministic weights with LayerNorm scales near 1, small biases, and matrices scaled by 1/√fan-in so
    /// activations stay O(1) through every block (parity needs signal, not saturation).</summary>
    static Qwen3VLVisionModel RandomTower(int seed)
    {
        var tower = new Qwen3VLVisionModel(Config, TensorFactory.Cpu());
        var generator = new Generator((ulong)seed);
        using var _ = no_grad();
        foreach (var (name, p) in tower.named_parameters())
        {
            using var scope = NewDisposeScope();
            var r = randn(p.shape, generator: generator);
            var value = name switch
            {
                _ when name.Contains("norm") && name.EndsWith(".weight") => r.Mul(0.1).Add(1.0),
                _ when name.EndsWith(".bias") => r.Mul(0.05),
                "pos_embed.weight" => r.Mul(0.5),
                _ => r.Mul(1 / Math.Sqrt(p.numel() / p.shape[0])),
            };
            p.copy_(value);
        }
        return tower;
    }

    /// <summary>Normalised pixels in [−1, 1], one row per patch.</summary>
    static Tensor RandomPatches(VisionGrid[] grids, int seed) =>
        rand([grids.Sum(g => (long)g.Patches), Config.PatchInputSize], generator: new Generator((ulong)seed)).Mul(2).Sub(1.0);
}
