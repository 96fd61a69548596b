using Avocado.Models.Config;
using Avocado.Models.Layers;
using Avocado.Models.Torch;
using Avocado.Models;
using Avocado.Text.Chat;
using Avocado.Text.Tokenizers;
using TorchSharp;
using static TorchSharp.torch;

namespace Avocado.Training;

/// <summary>Builds the student: a fresh model of the chosen family sized for the chosen tokenizer, or a checkpoint.</summary>
public static class StudentFactory
{
    public const int DefaultSlidingWindow = 128;

    /// <summary>The config of a fresh student: the family's tiny preset, resized by <paramref name="shape"/>, with the
    /// tokenizer's vocabulary and special ids (end of turn included in eos, so generation stops after a reply).</summary>
    public static ModelConfig FreshConfig(string family, StudentShape shape, ITokenizer tokenizer, IChatFormat format)
    {
        var preset = TinyPresets.For(family, tokenizer.VocabSize);
        int layers = shape.NumLayers ?? preset.NumHiddenLayers, headDim = shape.HeadDim ?? preset.HeadDim;
        int window = shape.SlidingWindow ?? DefaultSlidingWindow;
        var eos = tokenizer.EosIds.Concat(format.StopTokenIds(tokenizer)).Distinct().ToArray();
        var config = preset with
        {
            HiddenSize = shape.HiddenSize ?? preset.HiddenSize,
            RopeTheta = shape.RopeTheta ?? preset.RopeTheta,
            IntermediateSize = shape.IntermediateSize ?? preset.IntermediateSize,
            NumHiddenLayers = layers,
            NumAttentionHeads = shape.NumHeads ?? preset.NumAttentionHeads,
            NumKeyValueHeads = shape.NumKvHeads ?? preset.NumKeyValueHeads,
            HeadDim = headDim,
            MaxPositionEmbeddings = shape.MaxPositionEmbeddings ?? Math.Min(preset.MaxPositionEmbeddings, 4096),
            BosTokenId = tokenizer.BosId is { } bos ? [bos] : null,
            EosTokenId = eos.Length > 0 ? eos : null,
            PadTokenId = tokenizer.PadId ?? tokenizer.EosIds.FirstOrDefault(),
            TorchDtype = "float32",
        };
        config = config switch
        {
            // Every sixth layer global, as Gemma 3 does.
            Gemma3Config g => g with
            {
                SlidingWindow = window, QueryPreAttnScalar = headDim,
                LayerTypesList = [.. Enumerable.Range(0, layers).Select(i => (i + 1) % g.SlidingWindowPattern == 0 ? LayerTypes.Full : LayerTypes.Sliding)],
            },
            // Alternating sliding / full, as gpt-oss does; trained experts are stored as floats (no MXFP4).
            GptOssConfig o => o with
            {
                SlidingWindow = window, QuantizationConfig = null,
                NumLocalExperts = shape.NumExperts ?? o.NumLocalExperts, NumExpertsPerTok = shape.ExpertsPerToken ?? o.NumExpertsPerTok,
                LayerTypesList = [.. Enumerable.Range(0, layers).Select(i => i % 2 == 0 ? LayerTypes.Sliding : LayerTypes.Full)],
            },
            _ => config,
        };
        config.Validate("student");
        return config;
    }

    /// <summary>transformers' initialisation: weights ~ N(0, std²), biases and sinks 0, norm weights at identity
    /// (1 for x·w norms, 0 for Gemma's zero-centred (1 + w)). Deterministic in <paramref name="seed"/>.</summary>
    public static void Initialize(CausalLM model, long seed, double std)
    {
        var generator = new Generator((ulong)seed);
        using var _ = no_grad();
        foreach (var (name, p) in model.named_parameters())
        {
            using var scope = NewDisposeScope();
            var leaf = name.Split('.')[^1];
            Tensor value = name.Contains("norm")
                ? (model.Config is Gemma3Config ? zeros(p.shape) : ones(p.shape))
                : leaf is "bias" or "sinks" || leaf.EndsWith("_bias")
                    ? zeros(p.shape)
                    : randn(p.shape, generator: generator).Mul(std);
            p.copy_(value.to(p.dtype, p.device));
        }
    }

    public static CausalLM Create(ModelConfig config, long seed, double std, Device device, ScalarType dtype)
    {
        var model = ModelFactory.Create(config, new TensorFactory(device, dtype));
        Initialize(model, seed, std);
        return model;
    }
}
