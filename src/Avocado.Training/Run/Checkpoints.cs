using Avocado.Common.Files;
using System.Globalization;
using System.Text.Json;
using Avocado.Training.Optim;
using Avocado.Models;
using Avocado.Models.Checkpoints;
using static TorchSharp.torch;

namespace Avocado.Training.Run;

/// <summary>
/// <c>{run_dir}/checkpoints/step-NNNNNNNN/</c>: the student in Hugging Face layout (fp32, exact), <c>optimizer.safetensors</c>
/// (moments, master weights) and <c>state.json</c>. A checkpoint is written to a temporary directory and renamed, so a
/// crash never leaves a half-written one under its final name; only the newest <c>keep</c> are kept.
/// </summary>
public static class Checkpoints
{
    public const string Folder = "checkpoints", StateFile = "state.json", OptimizerFile = "optimizer.safetensors";

    public static string Save(string runDir, CausalLM model, AdamW optimizer, TrainingState state, int keep)
    {
        var root = Path.Combine(runDir, Folder);
        Directory.CreateDirectory(root);
        var final = Path.Combine(root, Name(state.Step));
        var tmp = AtomicDirectory.Stage(final);
        ModelSaver.Save(model, tmp, ScalarType.Float32);
        optimizer.Save(Path.Combine(tmp, OptimizerFile));
        File.WriteAllText(Path.Combine(tmp, StateFile), JsonSerializer.Serialize(state, TrainingState.Json));
        AtomicDirectory.Commit(tmp, final);
        foreach (var old in List(runDir).SkipLast(keep)) Directory.Delete(old.Path, recursive: true);
        foreach (var stale in Directory.EnumerateDirectories(root).Where(d => AtomicDirectory.IsTemporaryName(Path.GetFileName(d))))
            Directory.Delete(stale, recursive: true);
        return final;
    }

    /// <summary>Complete checkpoints, oldest first.</summary>
    public static IReadOnlyList<(int Step, string Path)> List(string runDir)
    {
        var root = Path.Combine(runDir, Folder);
        if (!Directory.Exists(root)) return [];
        return Directory.EnumerateDirectories(root, "step-*")
            .Select(d => (Dir: d, Name: Path.GetFileName(d)))
            .Where(d => !AtomicDirectory.IsTemporaryName(d.Name) && File.Exists(Path.Combine(d.Dir, StateFile)))
            .Select(d => (int.Parse(d.Name["step-".Length..], CultureInfo.InvariantCulture), d.Dir))
            .OrderBy(d => d.Item1).ToList();
    }

    public static TrainingState ReadState(string checkpointDir) =>
        JsonSerializer.Deserialize<TrainingState>(File.ReadAllText(Path.Combine(checkpointDir, StateFile)))
        ?? throw new InvalidDataException($"{checkpointDir}/{StateFile}: empty");

    /// <summary>Copies the checkpoint's weights into <paramref name="model"/> (same architecture) exactly.</summary>
    public static void LoadWeights(CausalLM model, string checkpointDir)
    {
        using var reader = CheckpointReader.Open(checkpointDir);
        using var _ = no_grad();
        foreach (var (name, p) in model.named_parameters())
        {
            using var scope = NewDisposeScope();
            var stored = reader.Read(name);
            if (!stored.shape.SequenceEqual(p.shape))
                throw new InvalidDataException($"{checkpointDir}: tensor {name} has shape [{string.Join(", ", stored.shape)}], the student [{string.Join(", ", p.shape)}]");
            p.copy_(stored);
        }
    }

    static string Name(int step) => $"step-{step:D8}";
}
