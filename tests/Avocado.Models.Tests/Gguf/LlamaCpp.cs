using System.Diagnostics;
using System.Text.Json;

namespace Avocado.Models.Tests.Gguf;

/// <summary>llama.cpp, reached through node-llama-cpp by tests/parity/evaluate.mjs (install: <c>npm ci --prefix tests/parity</c>).</summary>
internal static class LlamaCpp
{
    public static string ParityDir => Path.Combine(RepoPaths.Root, "tests", "parity");

    /// <summary>Raw logits (T rows of V) that llama.cpp computes for <paramref name="ids"/> with the model in <paramref name="gguf"/>.</summary>
    public static float[][] Logits(string gguf, IReadOnlyList<long> ids, string workDir)
    {
        if (!Directory.Exists(Path.Combine(ParityDir, "node_modules", "node-llama-cpp")))
        {
            throw new InvalidOperationException($"node-llama-cpp is not installed in {ParityDir}: run `npm ci --prefix tests/parity` (scripts/test does)");
        }
        var output = Path.Combine(workDir, Path.GetFileNameWithoutExtension(gguf) + ".logits.json");
        var start = new ProcessStartInfo("node")
        {
            WorkingDirectory = ParityDir,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var arg in new[] { "evaluate.mjs", gguf, string.Join(",", ids), output })
        {
            start.ArgumentList.Add(arg);
        }
        using var node = Process.Start(start) ?? throw new InvalidOperationException("could not start node (is it on PATH?)");
        var stdout = node.StandardOutput.ReadToEndAsync();
        var stderr = node.StandardError.ReadToEndAsync();
        if (!node.WaitForExit(TimeSpan.FromMinutes(2)))
        {
            node.Kill(entireProcessTree: true);
            throw new TimeoutException($"node evaluate.mjs {gguf} did not finish in 2 minutes");
        }
        if (node.ExitCode != 0)
        {
            throw new InvalidOperationException($"node evaluate.mjs exited with {node.ExitCode}:\n{stderr.Result}\n{stdout.Result}");
        }
        using var json = JsonDocument.Parse(File.ReadAllText(output));
        return [.. json.RootElement.GetProperty("logits").EnumerateArray()
            .Select(row => row.EnumerateArray().Select(v => v.GetSingle()).ToArray())];
    }
}
