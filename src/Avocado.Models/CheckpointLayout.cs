using Avocado.Models.Checkpoints;
using Avocado.Models.Config;

namespace Avocado.Models;

/// <summary>One tensor as a checkpoint stores it.</summary>
public sealed record StoredTensor(string Name, long[] Shape, StorageDType? DType /* null: the model's float dtype */);

/// <summary>How module parameters map to checkpoint tensors. Field names equal checkpoint keys, so the map is the
/// identity except for gpt-oss MXFP4 experts, whose float parameter <c>…experts.gate_up_proj</c> (E, C, 2I) is stored
/// as <c>…gate_up_proj_blocks</c> U8 (E, 2I, C/32, 16) and <c>…gate_up_proj_scales</c> U8 (E, 2I, C/32) —
/// transposed, since the blocks are laid out [out, in].</summary>
public static class CheckpointLayout
{
    public static readonly string[] Mxfp4Parameters = ["gate_up_proj", "down_proj"];

    /// <summary>The tensors a checkpoint of this model must hold, in parameter order.</summary>
    public static IReadOnlyList<StoredTensor> Expected(CausalLM model, bool mxfp4Experts)
    {
        var result = new List<StoredTensor>();
        foreach (var (name, p) in model.named_parameters())
        {
            if (mxfp4Experts && IsMxfp4Parameter(name))
            {
                long experts = p.shape[0], inFeatures = p.shape[1], outFeatures = p.shape[2];
                result.Add(new StoredTensor(name + "_blocks", [experts, outFeatures, inFeatures / 32, 16], StorageDType.U8));
                result.Add(new StoredTensor(name + "_scales", [experts, outFeatures, inFeatures / 32], StorageDType.U8));
            }
            else result.Add(new StoredTensor(name, p.shape, null));
        }
        return result;
    }

    public static bool IsMxfp4Parameter(string name) =>
        name.Contains(".mlp.experts.") && Mxfp4Parameters.Any(p => name.EndsWith("." + p, StringComparison.Ordinal));

    /// <summary>Checkpoint key → our key. Multimodal checkpoints nest the text model under a prefix that depends on
    /// the transformers version (<c>language_model.model.*</c> before 4.52, <c>model.language_model.*</c> since), and
    /// the vision parts likewise (<c>vision_tower.*</c> or <c>model.vision_tower.*</c>).</summary>
    public static string Normalize(string key)
    {
        foreach (var part in (string[])["vision_tower.", "multi_modal_projector."])
            if (key.StartsWith("model." + part, StringComparison.Ordinal)) return key["model.".Length..];
        if (key.StartsWith("language_model.model.", StringComparison.Ordinal)) return "model." + key["language_model.model.".Length..];
        if (key.StartsWith("model.language_model.", StringComparison.Ordinal)) return "model." + key["model.language_model.".Length..];
        if (key.StartsWith("language_model.lm_head.", StringComparison.Ordinal)) return key["language_model.".Length..];
        return key;
    }

    /// <summary>Whether a checkpoint key belongs to a vision tower or projector (a text-only model skips them).</summary>
    public static bool IsVisual(string ourKey) =>
        ourKey.StartsWith("vision_tower.", StringComparison.Ordinal) || ourKey.StartsWith("multi_modal_projector.", StringComparison.Ordinal);

    /// <summary>Our key → the key a model of this kind is saved under: the published layout of current transformers.</summary>
    public static string Stored(CausalLM model, string ourKey)
    {
        if (model is not Architectures.Gemma3ForConditionalGeneration) return ourKey;
        if (IsVisual(ourKey)) return "model." + ourKey;
        return ourKey.StartsWith("model.", StringComparison.Ordinal) ? "model.language_model." + ourKey["model.".Length..] : ourKey;
    }

    /// <summary>Whether a config says experts are MXFP4.</summary>
    public static bool UsesMxfp4(ModelConfig config) => config is GptOssConfig { ExpertsAreMxfp4: true };
}
