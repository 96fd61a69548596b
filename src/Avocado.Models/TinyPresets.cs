using Avocado.Models.Config;

namespace Avocado.Models;

/// <summary>Configs that keep every architectural feature of a family (several layers with both sliding and full
/// attention, GQA, QK-norm, sinks, MoE with top-k routing, head_dim ≠ hidden/heads) at sizes that run in
/// milliseconds on a CPU. Sliding windows are tiny so tests easily exceed them.</summary>
public static class TinyPresets
{
    public const int DefaultVocab = 512;

    public static ModelConfig For(string family, int? vocabSize = null)
    {
        var vocab = vocabSize ?? DefaultVocab;
        if (vocab < 8) throw new ConfigException($"--vocab-size {vocab} is too small (at least 8)");
        return family switch
        {
            "qwen3" => new Qwen3Config
            {
                Architectures = ["Qwen3ForCausalLM"], ModelType = "qwen3", VocabSize = vocab, HiddenSize = 64,
                IntermediateSize = 128, NumHiddenLayers = 2, NumAttentionHeads = 4, NumKeyValueHeads = 2, HeadDim = 32,
                RopeTheta = 1e6, RmsNormEps = 1e-6, TieWordEmbeddings = true, MaxPositionEmbeddings = 512,
                TorchDtype = "float32", BosTokenId = null, EosTokenId = [1], PadTokenId = 0,
            },
            "gemma3" => new Gemma3Config
            {
                Architectures = ["Gemma3ForCausalLM"], ModelType = "gemma3_text", VocabSize = vocab, HiddenSize = 64,
                IntermediateSize = 128, NumHiddenLayers = 6, NumAttentionHeads = 4, NumKeyValueHeads = 2, HeadDim = 32,
                QueryPreAttnScalar = 32, SlidingWindow = 8, SlidingWindowPattern = 6,
                LayerTypesList = [.. Enumerable.Repeat(LayerTypes.Sliding, 5), LayerTypes.Full],
                RopeTheta = 1e6, RopeLocalBaseFreq = 1e4, RmsNormEps = 1e-6, TieWordEmbeddings = true,
                MaxPositionEmbeddings = 512, TorchDtype = "float32", BosTokenId = [2], EosTokenId = [1], PadTokenId = 0,
            },
            "gemma3-vision" => (Gemma3Config)For("gemma3", vocab) with
            {
                Architectures = ["Gemma3ForConditionalGeneration"],
                Vision = new Gemma3VisionSpec
                {
                    // 32 px images in 4 px patches: an 8×8 grid pooled 2×2 to 16 soft tokens per image.
                    Vision = new SiglipVisionConfig
                    {
                        HiddenSize = 32, IntermediateSize = 64, NumHiddenLayers = 2, NumAttentionHeads = 2, ImageSize = 32, PatchSize = 4,
                    },
                    MmTokensPerImage = 16, BoiTokenIndex = vocab - 3, EoiTokenIndex = vocab - 2, ImageTokenIndex = vocab - 1,
                },
            },
            "gpt-oss" => new GptOssConfig
            {
                Architectures = ["GptOssForCausalLM"], ModelType = "gpt_oss", VocabSize = vocab, HiddenSize = 64,
                IntermediateSize = 64, NumHiddenLayers = 2, NumAttentionHeads = 4, NumKeyValueHeads = 2, HeadDim = 32,
                NumLocalExperts = 8, NumExpertsPerTok = 4, SlidingWindow = 8,
                LayerTypesList = [LayerTypes.Sliding, LayerTypes.Full], RopeTheta = 150000,
                RopeScaling = new RopeScaling
                {
                    RopeType = "yarn", Factor = 32, BetaFast = 32, BetaSlow = 1, OriginalMaxPositionEmbeddings = 4096,
                    Truncate = true, // as llama.cpp implements YaRN, so GGUF exports match exactly (gpt-oss itself ships false)
                },
                SwigluLimit = 7.0, RmsNormEps = 1e-5, AttentionBias = true, TieWordEmbeddings = false,
                MaxPositionEmbeddings = 131072, TorchDtype = "float32", EosTokenId = [1], PadTokenId = 0,
                QuantizationConfig = System.Text.Json.JsonDocument.Parse(
                    """{"quant_method":"mxfp4","modules_to_not_convert":["model.layers.*.self_attn","model.layers.*.mlp.router","model.embed_tokens","lm_head"]}""").RootElement,
            },
            _ => throw new ConfigException($"unknown family '{family}'; expected one of: {string.Join(", ", ModelFactory.Families)}"),
        };
    }
}
