using Avocado.Models.Checkpoints;
using Avocado.Models.Config;
using Avocado.Models.Layers;
using Avocado.Models.Quantization;
using Avocado.Models.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace Avocado.Models;

/// <summary>Random-initialised checkpoints in Hugging Face layout (for tests, benchmarks and fresh students).</summary>
public static class ModelInit
{
    /// <summary>Writes the tiny preset of <paramref name="family"/> to <paramref name="outDir"/>.</summary>
    public static ModelConfig WriteTiny(string family, string outDir, int seed = 0, int? vocabSize = null,
        ScalarType dtype = ScalarType.Float32)
    {
        var config = TinyPresets.For(family, vocabSize);
        Write(config, outDir, seed, dtype);
        return config;
    }

    /// <summary>Initialises a model for <paramref name="config"/> from <paramref name="seed"/> and saves it.</summary>
    public static void Write(ModelConfig config, string outDir, int seed, ScalarType dtype)
    {
        config.Validate("config");
        using var model = ModelFactory.Create(config, TensorFactory.Cpu());
        var quantized = Initialize(model, seed);
        ModelSaver.Save(model, outDir, dtype, quantized);
    }

    /// <summary>Fills every parameter deterministically from <paramref name="seed"/>. Magnitudes are larger than
    /// HF's 0.02 so that tiny models produce peaked, order-sensitive logits (parity tests need signal). Returns the
    /// MXFP4 blocks/scales of experts when the config stores them so, after loading their exact dequantised values.</summary>
    public static IReadOnlyDictionary<string, (Tensor Blocks, Tensor Scales)> Initialize(CausalLM model, int seed)
    {
        var generator = new Generator((ulong)seed);
        var mxfp4 = CheckpointLayout.UsesMxfp4(model.Config);
        var quantized = new Dictionary<string, (Tensor, Tensor)>();
        using var _ = no_grad();
        foreach (var (name, p) in model.named_parameters())
        {
            if (mxfp4 && CheckpointLayout.IsMxfp4Parameter(name))
            {
                var (blocks, scales) = RandomMxfp4(p.shape, generator);
                p.copy_(Mxfp4.Dequantize(blocks, scales).transpose(1, 2));
                quantized[name] = (blocks, scales);
                continue;
            }
            using var scope = NewDisposeScope();
            var leaf = name.Split('.')[^1];
            var parent = name.Split('.')[^2];
            Tensor value = (leaf, parent) switch
            {
                // Vision towers: LayerNorms around 1, convolutions scaled by their fan-in (in · p · p).
                (_, _) when name.StartsWith("vision_tower.") && name.Contains("norm") && leaf == "weight" => randn(p.shape, generator: generator).Mul(0.1).Add(1),
                ("weight", _) when p.ndim == 4 => randn(p.shape, generator: generator).Mul(1.0 / Math.Sqrt(p.shape[1] * p.shape[2] * p.shape[3])),
                ("mm_input_projection_weight", _) => randn(p.shape, generator: generator).Mul(1.0 / Math.Sqrt(p.shape[0])),
                (_, _) when name.Contains("norm") && model.Config is Gemma3Config => randn(p.shape, generator: generator).Mul(0.1), // zero-centred (1+w)
                (_, _) when name.Contains("norm") => randn(p.shape, generator: generator).Mul(0.1).Add(1),
                ("sinks", _) => randn(p.shape, generator: generator),
                (_, "router") => randn(p.shape, generator: generator).Mul(0.5),
                (_, _) when leaf == "bias" || leaf.EndsWith("_bias") => randn(p.shape, generator: generator).Mul(0.05),
                ("weight", "embed_tokens") => randn(p.shape, generator: generator).Mul(model.Config is Gemma3Config ? 0.05 : 0.5),
                _ => randn(p.shape, generator: generator).Mul(1.0 / Math.Sqrt(p.shape[^1])),
            };
            p.copy_(value);
        }
        return quantized;
    }

    /// <summary>Random FP4 nibbles with per-block exponents 2^−5…2^−3, for a parameter stored (E, in, out).</summary>
    static (Tensor Blocks, Tensor Scales) RandomMxfp4(long[] parameterShape, Generator g)
    {
        long experts = parameterShape[0], inFeatures = parameterShape[1], outFeatures = parameterShape[2];
        var blocks = randint(0, 256, [experts, outFeatures, inFeatures / 32, 16], dtype: ScalarType.Byte, generator: g);
        var scales = randint(127 - 5, 127 - 2, [experts, outFeatures, inFeatures / 32], dtype: ScalarType.Byte, generator: g);
        return (blocks.DetachFromDisposeScope(), scales.DetachFromDisposeScope());
    }
}
