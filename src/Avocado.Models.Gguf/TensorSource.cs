using Avocado.Models.Checkpoints;
using TorchSharp;
using static TorchSharp.torch;

namespace Avocado.Models.Gguf;

/// <summary>
/// The checkpoint's tensors under their Hugging Face names (<c>model.layers.0.…</c>, <c>lm_head.weight</c>),
/// whatever prefix the checkpoint nests the decoder under. Records which tensors were used, so tensors the
/// mapping does not know are reported instead of silently dropped.
/// </summary>
internal sealed class TensorSource(CheckpointReader reader)
{
    private readonly HashSet<string> _used = new(StringComparer.Ordinal);
    private readonly (string Decoder, string Head) _prefix = DetectPrefix(reader);

    public string CheckpointDir => reader.Directory;

    public bool Has(string name) => reader.Tensors.ContainsKey(Resolve(name));

    /// <summary>The stored shape; throws naming the tensor when it is missing.</summary>
    public long[] Shape(string name)
    {
        var stored = Resolve(name);
        if (!reader.Tensors.TryGetValue(stored, out var entry))
        {
            throw new GgufExportException($"{reader.Directory}: tensor '{stored}' is missing from the checkpoint");
        }
        _used.Add(stored);
        return entry.Shape;
    }

    /// <summary>The shape, checked against what the config implies.</summary>
    public long[] Shape(string name, params long[] expected)
    {
        var shape = Shape(name);
        if (!shape.SequenceEqual(expected))
        {
            throw new GgufExportException($"{reader.Directory}: tensor '{Resolve(name)}' has shape [{string.Join(", ", shape)}], " +
                                          $"config.json implies [{string.Join(", ", expected)}]");
        }
        return shape;
    }

    /// <summary>The tensor as stored (any dtype).</summary>
    public Tensor ReadRaw(string name) => reader.Read(Resolve(name));

    /// <summary>The tensor in float32.</summary>
    public Tensor Read(string name) => ReadRaw(name).to_type(ScalarType.Float32);

    /// <summary>Tensors no mapping asked for, apart from those known to be irrelevant to the text decoder.</summary>
    public IEnumerable<string> Unused() => reader.Tensors.Keys.Where(n => !_used.Contains(n) && !Ignorable(n));

    private string Resolve(string name) =>
        name.StartsWith("model.", StringComparison.Ordinal) ? _prefix.Decoder + name["model.".Length..]
        : name.StartsWith("lm_head.", StringComparison.Ordinal) ? _prefix.Head + name
        : name;

    /// <summary>Rotary tables some checkpoints store, and the vision tower of multimodal Gemma 3.</summary>
    private static bool Ignorable(string name) =>
        name.EndsWith("rotary_emb.inv_freq", StringComparison.Ordinal)
        || name.Contains("vision_tower.", StringComparison.Ordinal)
        || name.Contains("multi_modal_projector.", StringComparison.Ordinal);

    /// <summary>transformers has nested multimodal decoders as <c>language_model.model.*</c> and, later,
    /// <c>model.language_model.*</c>.</summary>
    private static (string, string) DetectPrefix(CheckpointReader reader)
    {
        foreach (var (decoder, head) in new[] { ("model.", ""), ("language_model.model.", "language_model."), ("model.language_model.", "") })
        {
            if (reader.Tensors.ContainsKey(decoder + "embed_tokens.weight"))
            {
                return (decoder, head);
            }
        }
        return ("model.", "");
    }
}
