using Avocado.Models.Gguf;
using Xunit.Abstractions;

namespace Avocado.Models.Tests.Gguf;

/// <summary>
/// End to end: a tiny random checkpoint, exported to GGUF, gives the same logits in llama.cpp (an independent
/// implementation, through node-llama-cpp) as in our TorchSharp model. The sequence is longer than the tiny sliding
/// window (8), so windowed and full layers both matter.
/// </summary>
public sealed class GgufParityTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _dir = TinyCheckpoints.NewTempDir();

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>float32 agreement (measured: about 1e-5). Gemma 3 is looser, measured 1.0e-3: llama.cpp's CPU GELU
    /// reads an fp16 lookup table (GGML_GELU_FP16 rounds its input and output to fp16), while our GELU is float32 and
    /// matches a float64 reference to 2e-6 (docs/GGUF.md).</summary>
    [Theory]
    [InlineData("qwen3", 1e-4)]
    [InlineData("gemma3", 3e-3)]
    [InlineData("gpt-oss", 1e-4)]
    public void LlamaCppGivesOurLogits(string family, double tolerance)
    {
        var checkpoint = ParityCheckpoint(family);
        var diff = MaxAbsDiff(checkpoint, new GgufExportOptions());
        Assert.True(diff <= tolerance, $"{family}: llama.cpp and our logits differ by up to {diff:E2} (tolerance {tolerance:E0})");
    }

    /// <summary>Layer types with no period travel as per-layer flags, and final soft-capping as its key (cap 1 so it
    /// bends every logit).</summary>
    [Fact]
    public void Gemma3FlagsAndSoftcappingCarryOver()
    {
        var source = TinyCheckpoints.Get("gemma3");
        var dir = Path.Combine(_dir, "gemma3-variant");
        CopyCheckpoint(source, dir, c =>
        {
            c["layer_types"] = new System.Text.Json.Nodes.JsonArray(
                "sliding_attention", "full_attention", "sliding_attention", "sliding_attention", "sliding_attention", "full_attention");
            c["final_logit_softcapping"] = 1.0;
        });
        var diff = MaxAbsDiff(dir, new GgufExportOptions());
        Assert.True(diff <= 3e-3, $"gemma3 variant: llama.cpp and our logits differ by up to {diff:E2}");
    }

    /// <summary>F16 weights load and run; they round every matrix, so agreement is only to a few 1e-3.</summary>
    [Fact]
    public void F16ExportIsCloseToOurLogits()
    {
        var diff = MaxAbsDiff(TinyCheckpoints.Get("qwen3"), new GgufExportOptions { WeightType = GgmlType.F16 });
        Assert.True(diff <= 2e-2, $"F16 export: llama.cpp and our logits differ by up to {diff:E2}");
    }

    /// <summary>The tiny preset, except that gpt-oss uses truncated YaRN: llama.cpp only implements that (it floors and
    /// ceils the correction range), while gpt-oss ships truncate: false (see docs/GGUF.md for the size of the gap).</summary>
    private string ParityCheckpoint(string family)
    {
        var source = TinyCheckpoints.Get(family);
        if (family != "gpt-oss")
        {
            return source;
        }
        var dir = Path.Combine(_dir, "gpt-oss-truncated");
        CopyCheckpoint(source, dir, c => c["rope_scaling"]!["truncate"] = true);
        return dir;
    }

    private static void CopyCheckpoint(string source, string dir, Action<System.Text.Json.Nodes.JsonObject> editConfig)
    {
        Directory.CreateDirectory(dir);
        foreach (var file in Directory.GetFiles(source))
        {
            File.Copy(file, Path.Combine(dir, Path.GetFileName(file)));
        }
        GgufExportTests.EditConfig(source, dir, editConfig);
    }

    private double MaxAbsDiff(string checkpoint, GgufExportOptions options)
    {
        var gguf = Path.Combine(_dir, $"{Path.GetFileName(checkpoint)}-{options.WeightType}.gguf");
        GgufExporter.Export(checkpoint, gguf, options);
        long[] ids = [.. Enumerable.Range(0, 24).Select(i => (long)((i * 37 + 11) % TinyPresets.DefaultVocab))];

        var theirs = LlamaCpp.Logits(gguf, ids, _dir);
        using var model = ModelLoader.Load(checkpoint);
        using var ours = model.Logits(ids);
        var expected = Tensors.Floats(ours);
        var vocab = (int)ours.shape[1];

        Assert.Equal(ids.Length, theirs.Length);
        double max = 0;
        for (var t = 0; t < ids.Length; t++)
        {
            Assert.Equal(vocab, theirs[t].Length);
            for (var v = 0; v < vocab; v++)
            {
                max = Math.Max(max, Math.Abs(theirs[t][v] - expected[t * vocab + v]));
            }
        }
        output.WriteLine($"{Path.GetFileName(gguf)}: max |llama.cpp − ours| = {max:E2} over {ids.Length}×{vocab} logits " +
                         $"(ours span {expected.Min():F2} … {expected.Max():F2})");
        return max;
    }
}
