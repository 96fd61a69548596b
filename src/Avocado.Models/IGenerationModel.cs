using Avocado.Models.Layers;
using static TorchSharp.torch;

namespace Avocado.Models;

/// <summary>What token-by-token generation needs from a model: a KV cache per sequence and next-token logits.
/// <see cref="CausalLM"/> is the one that matters; the inference engine is written against this so tests can script
/// a model, and so a model that also sees images can prefill differently without the engine changing.</summary>
public interface IGenerationModel
{
    Device Device { get; }
    /// <summary>Token ids are in [0, VocabSize).</summary>
    int VocabSize { get; }
    KvCache NewCache();
    /// <summary>Float32 logits (B, T, V), or (B, 1, V) with <see cref="ForwardInputs.LastPositionOnly"/>.</summary>
    Tensor Forward(ForwardInputs input);
}
