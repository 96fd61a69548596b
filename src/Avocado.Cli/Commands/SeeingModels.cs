using Avocado.Models;
using Avocado.Models.Config;
using Avocado.Text.Tokenizers;
using static TorchSharp.torch;

namespace Avocado.Cli.Commands;

/// <summary>Checkpoints of models that see, as <c>model init</c> writes them.</summary>
public static class SeeingModels
{
    /// <summary>A tiny Gemma 3 that sees, in the published multimodal layout, with a byte-level tokenizer holding Gemma 3's
    /// turn and image tokens and Gemma 3's own chat template (from the cached real tokenizer, when set-up fetched it).</summary>
    public static ModelConfig InitGemma3Vision(string outDir, int seed, int? vocabSize, ScalarType dtype)
    {
        SmallTokenizers.WriteByteLevel(outDir, "gemma3-vision", chatTemplate: RealGemma3ChatTemplate());
        var tokenizer = TokenizerLoader.Load(outDir);
        if (vocabSize is { } v && v < tokenizer.VocabSize)
            throw new UsageException($"--vocab-size {v} is smaller than the tokenizer's {tokenizer.VocabSize} tokens");
        int Id(string token) => tokenizer.TokenToId(token) ?? throw new InvalidOperationException($"the tokenizer lacks {token}");
        var config = (Gemma3Config)TinyPresets.For("gemma3-vision", vocabSize);
        config = config with
        {
            Vision = config.Vision! with { BoiTokenIndex = Id("<start_of_image>"), EoiTokenIndex = Id("<end_of_image>"), ImageTokenIndex = Id("<image_soft_token>") },
            BosTokenId = [Id("<bos>")], EosTokenId = [Id("<eos>"), Id("<end_of_turn>")], PadTokenId = Id("<pad>"),
        };
        ModelInit.Write(config, outDir, seed, dtype);
        return config;
    }

    static string? RealGemma3ChatTemplate()
    {
        try
        {
            var path = Path.Combine(BuiltInTokenizers.SourceDirectory(BuiltInTokenizers.Gemma3), "tokenizer_config.json");
            using var json = System.Text.Json.JsonDocument.Parse(File.ReadAllText(path));
            return json.RootElement.TryGetProperty("chat_template", out var t) ? t.GetString() : null;
        }
        catch (Exception e) when (e is IOException or System.Text.Json.JsonException) { return null; }
    }
}
