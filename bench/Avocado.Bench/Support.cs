using System.Diagnostics;
using Avocado.Models.Config;
using TorchSharp;
using static TorchSharp.torch;

namespace Avocado.Bench;

public sealed record BenchOptions(ScalarType[] DTypes, int Prompt, int Decode, int Layers)
{
    public static BenchOptions Parse(string[] args)
    {
        string Get(string name, string fallback)
        {
            var i = Array.IndexOf(args, "--" + name);
            return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
        }
        ScalarType[] dtypes = Get("dtype", "both") switch
        {
            "f32" => [ScalarType.Float32],
            "bf16" => [ScalarType.BFloat16],
            "both" => [ScalarType.Float32, ScalarType.BFloat16],
            var d => throw new ArgumentException($"--dtype {d}: use f32, bf16 or both"),
        };
        return new BenchOptions(dtypes, int.Parse(Get("prompt", "128")), int.Parse(Get("decode", "32")), int.Parse(Get("layers", "28")));
    }
}

public static class Qwen3Shape
{
    /// <summary>The published Qwen3-0.6B config (optionally with fewer layers for a quick run).</summary>
    public static Qwen3Config Config(int layers) => new()
    {
        Architectures = ["Qwen3ForCausalLM"], ModelType = "qwen3", VocabSize = 151936, HiddenSize = 1024,
        IntermediateSize = 3072, NumHiddenLayers = layers, NumAttentionHeads = 16, NumKeyValueHeads = 8, HeadDim = 128,
        RopeTheta = 1e6, RmsNormEps = 1e-6, TieWordEmbeddings = true, MaxPositionEmbeddings = 40960,
    };
}

public static class MemoryBandwidth
{
    /// <summary>Best of several copies of a 1 GiB buffer (far larger than any cache), counting bytes read and
    /// written as STREAM's "copy" does. Uses the same thread count and allocator as the model.</summary>
    public static double Measure()
    {
        const long bytes = 1L << 30;
        using var src = ones(bytes / 4, ScalarType.Float32);
        using var dst = zeros(bytes / 4, ScalarType.Float32);
        dst.copy_(src);
        double best = double.MaxValue;
        for (int i = 0; i < 5; i++)
        {
            var sw = Stopwatch.StartNew();
            dst.copy_(src);
            best = Math.Min(best, sw.Elapsed.TotalSeconds);
        }
        return 2.0 * bytes / best;
    }
}
