using System.Text.Json;
using Avocado.Models.Checkpoints;
using TorchSharp;
using static TorchSharp.torch;

namespace Avocado.Models.Tests.Vision;

/// <summary>Runs tests/parity/vision/qwen3_vl_reference.py — an independent Python implementation (torch 1.13,
/// numpy, Pillow; no transformers) — on a job file, as one process per check.</summary>
static class Qwen3VLReference
{
    const string Script = "tests/parity/vision/qwen3_vl_reference.py";

    /// <summary>Writes <paramref name="job"/> as JSON into <paramref name="dir"/> and runs COMMAND on it.</summary>
    public static void Run(string command, object job, TempDir dir, params string[] modules)
    {
        var jobPath = dir.File(command + ".job.json");
        File.WriteAllText(jobPath, JsonSerializer.Serialize(job));
        ExternalTools.RunSystemPython(Script, [command, jobPath], modules.Length > 0 ? modules : ["numpy"], TimeSpan.FromMinutes(5));
    }

    /// <summary>Every tensor of a safetensors file the script wrote, in its stored dtype.</summary>
    public static Dictionary<string, Tensor> ReadAll(string path)
    {
        using var file = SafetensorsFile.Open(path);
        return file.Tensors.Keys.ToDictionary(name => name, name => file.Read(name));
    }
}
