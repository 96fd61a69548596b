using System.Text.Json;

namespace Avocado.Text.Tokenizers;

/// <summary>Loads the tokenizer of a checkpoint directory (Hugging Face files).</summary>
public static class TokenizerLoader
{
    /// <summary>
    /// Loads <c>tokenizer.json</c> (required) with <c>tokenizer_config.json</c> (BOS/EOS/PAD; optional) and, when present,
    /// <c>generation_config.json</c> (its <c>eos_token_id</c>s join <see cref="ITokenizer.EosIds"/>).
    /// </summary>
    /// <exception cref="DirectoryNotFoundException">the directory does not exist.</exception>
    /// <exception cref="FileNotFoundException">tokenizer.json is missing.</exception>
    /// <exception cref="InvalidDataException">a file is not valid JSON or uses a component this library lacks; the message names the file.</exception>
    public static ITokenizer Load(string checkpointDir)
    {
        ArgumentNullException.ThrowIfNull(checkpointDir);
        if (!Directory.Exists(checkpointDir))
            throw new DirectoryNotFoundException($"checkpoint directory '{checkpointDir}' does not exist");
        string tokenizerPath = Path.Combine(checkpointDir, "tokenizer.json");
        if (!File.Exists(tokenizerPath))
            throw new FileNotFoundException($"{tokenizerPath} not found: a checkpoint directory needs the Hugging Face tokenizer.json " +
                "(BuiltInTokenizers.WriteTo writes the qwen3, gemma3 and o200k_harmony ones)", tokenizerPath);
        using var tokenizer = ParseFile(tokenizerPath);
        string configPath = Path.Combine(checkpointDir, "tokenizer_config.json");
        using var config = File.Exists(configPath) ? ParseFile(configPath) : null;
        string generationPath = Path.Combine(checkpointDir, "generation_config.json");
        var generationEos = new List<int>();
        if (File.Exists(generationPath))
        {
            using var generation = ParseFile(generationPath);
            if (generation.RootElement.ValueKind == JsonValueKind.Object && generation.RootElement.TryGetProperty("eos_token_id", out var eos))
            {
                if (eos.ValueKind == JsonValueKind.Number) generationEos.Add(eos.GetInt32());
                else if (eos.ValueKind == JsonValueKind.Array) generationEos.AddRange(eos.EnumerateArray().Where(x => x.ValueKind == JsonValueKind.Number).Select(x => x.GetInt32()));
            }
        }
        try
        {
            if (tokenizer.RootElement.ValueKind != JsonValueKind.Object || !tokenizer.RootElement.TryGetProperty("model", out _))
                throw new InvalidDataException($"{tokenizerPath}: not a Hugging Face tokenizer.json (no \"model\" object)");
            return new HfTokenizer(tokenizer.RootElement, config?.RootElement, generationEos, tokenizerPath, null);
        }
        catch (Exception e) when (e is KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new InvalidDataException($"{tokenizerPath}: malformed tokenizer.json ({e.Message})", e);
        }
    }

    private static JsonDocument ParseFile(string path)
    {
        try
        {
            return JsonDocument.Parse(File.ReadAllBytes(path), new JsonDocumentOptions { MaxDepth = 256 });
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: invalid JSON ({e.Message})", e);
        }
    }
}
