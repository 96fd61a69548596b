using System.Security.Cryptography;
using Avocado.Text.Tokenizers;

namespace Avocado.Training.TeacherSignals;

/// <summary>A loaded tokenizer with the directory it came from and the SHA-256 of its tokenizer.json — two models share
/// a vocabulary exactly when these hashes are equal.</summary>
public sealed record TokenizerRef(ITokenizer Tokenizer, string Directory, string Sha256)
{
    /// <summary>A built-in name (qwen3, gemma3, o200k_harmony) or a directory holding tokenizer.json.</summary>
    public static TokenizerRef Load(string spec)
    {
        var dir = BuiltInTokenizers.Names.Contains(spec) ? BuiltInTokenizers.SourceDirectory(spec) : spec;
        var file = Path.Combine(dir, "tokenizer.json");
        if (!File.Exists(file)) throw new FileNotFoundException($"{dir}: no tokenizer.json", file);
        var hash = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(file)));
        return new TokenizerRef(TokenizerLoader.Load(dir), dir, hash);
    }
}
