using Avocado.Models.Checkpoints;
using TorchSharp;
using static TorchSharp.torch;

namespace Avocado.Models.Vision;

/// <summary>A vision tower stored under a key prefix of a larger multimodal checkpoint (<c>model.visual.</c>): its
/// parameter names are the keys after the prefix, so loading is a dictionary walk with strict shape checks. Tensors
/// outside the prefix belong to other parts of the model and are left alone.</summary>
public static class VisionWeights
{
    /// <summary>The tensors a checkpoint must hold for <paramref name="tower"/>, in parameter order.</summary>
    public static IReadOnlyList<StoredTensor> Expected(nn.Module tower, string prefix) =>
        tower.named_parameters().Select(p => new StoredTensor(prefix + p.name, p.parameter.shape, null)).ToList();

    /// <summary>Parameters under their checkpoint names (detached, for <see cref="SafetensorsWriter"/>).</summary>
    public static IEnumerable<KeyValuePair<string, Tensor>> Named(nn.Module tower, string prefix) =>
        tower.named_parameters().Select(p => new KeyValuePair<string, Tensor>(prefix + p.name, p.parameter.detach()));

    /// <summary>Copies every parameter from <paramref name="reader"/>, converting to the parameter's dtype. Throws
    /// <see cref="ModelLoadException"/> listing every missing tensor, wrong shape, and unexpected tensor under the
    /// prefix (a checkpoint of another tower size or version) before anything is copied.</summary>
    public static void Load(nn.Module tower, CheckpointReader reader, string prefix)
    {
        var parameters = tower.named_parameters().ToDictionary(p => prefix + p.name, p => p.parameter);
        var problems = new List<string>();
        foreach (var (name, p) in parameters)
        {
            if (!reader.Tensors.TryGetValue(name, out var entry))
                problems.Add($"missing tensor '{name}' (expected shape [{string.Join(", ", p.shape)}])");
            else if (!entry.Shape.SequenceEqual(p.shape))
                problems.Add($"tensor '{name}' in {Path.GetFileName(entry.FilePath)} has shape [{string.Join(", ", entry.Shape)}], expected [{string.Join(", ", p.shape)}]");
        }
        foreach (var (name, entry) in reader.Tensors)
            if (name.StartsWith(prefix, StringComparison.Ordinal) && !parameters.ContainsKey(name))
                problems.Add($"unexpected tensor '{name}' in {Path.GetFileName(entry.FilePath)} (not a parameter of this vision config)");
        if (problems.Count > 0)
            throw new ModelLoadException($"{reader.Directory}: the vision tower under '{prefix}' does not match its config ({problems.Count} problem(s)):\n  "
                + string.Join("\n  ", problems.Take(20)) + (problems.Count > 20 ? $"\n  … and {problems.Count - 20} more" : ""));

        using var _ = no_grad();
        foreach (var (name, p) in parameters)
        {
            using var scope = NewDisposeScope();
            p.copy_(reader.Read(name).to(p.dtype));
        }
    }
}
