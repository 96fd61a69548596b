using Avocado.Models;
using Avocado.Text.Tokenizers;

namespace Avocado.Testing;

/// <summary>Two tiny random checkpoints with real tokenizers (Qwen3 and Gemma 3, as <c>avocado model init --family F
/// --tokenizer F</c> writes them), written once for the engine tests.</summary>
public sealed class TinyTeachers : IDisposable
{
    public string Root { get; } = Path.Combine(Path.GetTempPath(), "avocado-distill-" + Guid.NewGuid().ToString("N"));
    public string Qwen3Dir => Path.Combine(Root, "qwen3-tiny");
    public string Gemma3Dir => Path.Combine(Root, "gemma3-tiny");

    public TinyTeachers()
    {
        Write("qwen3", BuiltInTokenizers.Qwen3, Qwen3Dir, seed: 1);
        Write("gemma3", BuiltInTokenizers.Gemma3, Gemma3Dir, seed: 2);
    }

    static void Write(string family, string tokenizerName, string dir, int seed)
    {
        var tokenizer = BuiltInTokenizers.Load(tokenizerName);
        var config = TinyPresets.For(family, tokenizer.VocabSize) with
        {
            BosTokenId = tokenizer.BosId is { } bos ? [bos] : null,
            EosTokenId = [.. tokenizer.EosIds],
            PadTokenId = tokenizer.PadId,
        };
        ModelInit.Write(config, dir, seed, TorchSharp.torch.ScalarType.Float32);
        BuiltInTokenizers.WriteTo(tokenizerName, dir);
    }

    public void Dispose()
    {
        try { Directory.Delete(Root, recursive: true); } catch (IOException) { }
    }
}

/// <summary>A GSM8K-style prompt file and temporary run directories.</summary>
public static class RunFiles
{
    public static readonly string[] Gsm8kLines =
    [
        """{"question": "Tom has 3 apples and buys 4 more. How many apples does he have?", "answer": "3 + 4 = 7\n#### 7"}""",
        """{"question": "A box holds 6 eggs. How many eggs are in 7 boxes?", "answer": "6 * 7 = 42\n#### 42"}""",
        """{"question": "Sara reads 10 pages a day for 4 days. How many pages does she read?", "answer": "10 * 4 = 40\n#### 40"}""",
        """{"question": "There are 20 birds and 5 fly away. How many birds are left?", "answer": "20 - 5 = 15\n#### 15"}""",
    ];

    public static string NewDir()
    {
        var dir = Path.Combine(Path.GetTempPath(), "avocado-run-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        return dir;
    }

    /// <summary>Writes prompts.jsonl and run.json (relative paths) into <paramref name="dir"/>; returns the config path.</summary>
    public static string WriteRun(string dir, string configJson)
    {
        File.WriteAllLines(Path.Combine(dir, "prompts.jsonl"), Gsm8kLines);
        var path = Path.Combine(dir, "run.json");
        File.WriteAllText(path, configJson);
        return path;
    }
}
