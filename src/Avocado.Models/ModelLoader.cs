using Avocado.Models.Checkpoints;
using Avocado.Models.Config;
using Avocado.Models.Layers;
using Avocado.Models.Quantization;
using TorchSharp;
using static TorchSharp.torch;

namespace Avocado.Models;

public sealed class ModelLoadException(string message) : Exception(message);

/// <summary>Loads a Hugging Face layout checkpoint (config.json + safetensors, single or sharded) strictly: every
/// parameter must be present with its exact shape, and every checkpoint tensor must be used.</summary>
public static class ModelLoader
{
    /// <summary>Default compute dtype: float32 on CPU (bf16 matmuls are slow there); the stored dtype is converted.</summary>
    public static CausalLM Load(string dir, ScalarType dtype = ScalarType.Float32, Device? device = null)
    {
        var config = ConfigLoader.Load(dir);
        using var reader = CheckpointReader.Open(dir);
        var model = ModelFactory.Create(config, new TensorFactory(device ?? CPU, dtype));
        try
        {
            LoadWeights(model, reader, CheckpointLayout.UsesMxfp4(config));
        }
        catch
        {
            model.Dispose();
            throw;
        }
        model.eval();
        return model;
    }

    static void LoadWeights(CausalLM model, CheckpointReader reader, bool mxfp4)
    {
        // A text-only model loaded from a checkpoint that also sees leaves the vision tensors unread.
        bool sees = model.named_parameters().Any(p => CheckpointLayout.IsVisual(p.name));
        var available = new Dictionary<string, TensorEntry>();
        foreach (var (key, entry) in reader.Tensors)
        {
            var name = CheckpointLayout.Normalize(key);
            if (sees || !CheckpointLayout.IsVisual(name)) available[name] = entry;
        }

        var expected = CheckpointLayout.Expected(model, mxfp4);
        var problems = new List<string>();
        foreach (var t in expected)
        {
            if (!available.TryGetValue(t.Name, out var entry))
                problems.Add($"missing tensor '{t.Name}' (expected shape [{string.Join(", ", t.Shape)}])");
            else if (!entry.Shape.SequenceEqual(t.Shape))
                problems.Add($"tensor '{t.Name}' in {Path.GetFileName(entry.FilePath)} has shape [{string.Join(", ", entry.Shape)}], expected [{string.Join(", ", t.Shape)}]");
            else if (t.DType is { } dt && entry.DType != dt)
                problems.Add($"tensor '{t.Name}' in {Path.GetFileName(entry.FilePath)} has dtype {entry.DType}, expected {dt}");
        }
        var expectedNames = expected.Select(t => t.Name).ToHashSet();
        foreach (var (name, entry) in available)
        {
            // A tied model may still carry a copy of the head; it is redundant, not wrong.
            if (name == "lm_head.weight" && model.lm_head is null) continue;
            if (!expectedNames.Contains(name))
                problems.Add($"unexpected tensor '{name}' in {Path.GetFileName(entry.FilePath)} (not a parameter of {model.Config.Family} with this config)");
        }
        if (problems.Count > 0)
            throw new ModelLoadException($"{reader.Directory}: checkpoint does not match config.json ({problems.Count} problem(s)):\n  "
                + string.Join("\n  ", problems.Take(20)) + (problems.Count > 20 ? $"\n  … and {problems.Count - 20} more" : ""));

        using var _ = no_grad();
        foreach (var (name, parameter) in model.named_parameters())
        {
            using var scope = NewDisposeScope();
            Tensor value = mxfp4 && CheckpointLayout.IsMxfp4Parameter(name)
                // blocks are [E, out, in/32, 16]; our parameter is [E, in, out]
                ? Mxfp4.Dequantize(reader.Read(available[name + "_blocks"].Name), reader.Read(available[name + "_scales"].Name)).transpose(1, 2)
                : reader.Read(available[name].Name);
            parameter.copy_(value.to(parameter.dtype));
        }
    }
}
