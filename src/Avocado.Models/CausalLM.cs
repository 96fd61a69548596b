using Avocado.Models.Config;
using Avocado.Models.Layers;
using Avocado.Models.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace Avocado.Models;

/// <summary>One decoder layer: h (B, T, C) → h (B, T, C).</summary>
public abstract class DecoderLayer(string name) : nn.Module(name)
{
    public abstract Tensor Forward(Tensor h, AttentionInputs a);
}

/// <summary>Inputs of one forward pass. Positions (B, T) are absolute token indices, −1 for padding.
/// <see cref="RowCaches"/> (continuous batching): one cache per row, T = 1, instead of <see cref="Cache"/>.
/// <see cref="Segments"/> (B, T) (training on packed rows): tokens attend only within their segment; positions restart
/// at 0 in each segment so every packed document sees exactly what it would see alone.
/// <see cref="Visual"/>: pixels for the prompt's image placeholders (a model that sees reads its own kind).</summary>
public sealed record ForwardInputs(Tensor Ids, Tensor Positions, KvCache? Cache = null, bool LastPositionOnly = false,
    IReadOnlyList<KvCache>? RowCaches = null, Tensor? Segments = null, VisualInputs? Visual = null);

/// <summary>Pixels that go with a prompt's visual placeholder tokens; each family that sees defines its own.</summary>
public abstract record VisualInputs;

/// <summary>What a model that sees lays over the token embeddings: <see cref="Features"/> (K, C) replace the embeddings
/// where <see cref="Placeholders"/> (B, T) is true, in order; tokens inside one of <see cref="Bidirectional"/>'s position
/// ranges [start, end) also see the later tokens of that range (an image is read all at once).</summary>
public sealed record VisualOverlay(Tensor Placeholders, Tensor Features, IReadOnlyList<(long Start, long End)> Bidirectional);

/// <summary><c>model.embed_tokens → model.layers.N → model.norm → lm_head</c>: the skeleton all three families share.
/// Subclasses build the layers and say what differs (embedding scale, norm style, RoPE per layer, soft-capping).</summary>
public abstract class CausalLM : nn.Module, IGenerationModel
{
    public ModelConfig Config { get; }
    public readonly DecoderStack model;
    public readonly Linear? lm_head; // null when tied to model.embed_tokens

    protected CausalLM(ModelConfig config, DecoderStack model, TensorFactory f) : base(config.Family)
    {
        Config = config;
        this.model = model;
        if (!config.TieWordEmbeddings) lm_head = new Linear(config.HiddenSize, config.VocabSize, false, f);
        RegisterComponents();
    }

    public ScalarType DType => model.embed_tokens.weight.dtype;
    public Device Device => model.embed_tokens.weight.device;
    public int VocabSize => Config.VocabSize;

    /// <summary>Logits in float32: (B, T, V), or (B, 1, V) with <see cref="ForwardInputs.LastPositionOnly"/>.</summary>
    public Tensor Forward(ForwardInputs input)
    {
        using var scope = NewDisposeScope();
        if (input.RowCaches is { } rows && (rows.Count != input.Ids.shape[0] || input.Ids.shape[1] != 1))
            throw new ArgumentException("per-row caches need one cache per row and exactly one new token per row");
        var h = model.Forward(input.Ids, input.Positions, input.Cache, input.RowCaches, input.Segments, Overlay(input));
        if (input.LastPositionOnly) h = h.narrow(1, h.shape[1] - 1, 1);
        return Head(h).MoveToOuterDisposeScope();
    }

    /// <summary>Final hidden states (…, C) → float32 logits (…, V): the LM head and the family's soft-capping.
    /// Training calls it on the target positions only, so (B·T, V) logits never exist for large vocabularies.</summary>
    public Tensor Head(Tensor h)
    {
        using var scope = NewDisposeScope();
        var weight = lm_head?.weight ?? model.embed_tokens.weight;
        var logits = (MatVec.Applies(h, weight) ? MatVec.Linear(h, weight, null) : nn.functional.linear(h, weight)).to(ScalarType.Float32);
        return SoftcapLogits(logits).MoveToOuterDisposeScope();
    }

    /// <summary>Logits (T, V) of one unpadded sequence — the convenience used by parity checks and the CLI.</summary>
    public Tensor Logits(long[] ids)
    {
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        var idTensor = tensor(ids, device: Device).unsqueeze(0);
        var positions = ScalarOps.Arange(0, ids.Length, Device).unsqueeze(0);
        return Forward(new ForwardInputs(idTensor, positions))[0].MoveToOuterDisposeScope();
    }

    /// <summary>A KV cache shaped for this model's layers (sliding layers get a ring of their window).</summary>
    public KvCache NewCache() =>
        new(Enumerable.Range(0, Config.NumHiddenLayers).Select(i => Config.IsSliding(i) ? Config.SlidingWindowSize : 0));

    protected virtual Tensor SoftcapLogits(Tensor logits) => logits;

    /// <summary>Visual inputs turned into what replaces the placeholder embeddings; text-only models refuse them.</summary>
    protected virtual VisualOverlay? Overlay(ForwardInputs input) => input.Visual is null ? null
        : throw new ArgumentException($"{Config.Family} ({GetType().Name}) does not see images; load a checkpoint with a vision tower");
}

/// <summary><c>model.*</c>: embeddings, layers and the final norm.</summary>
public abstract class DecoderStack : nn.Module
{
    public readonly Embedding embed_tokens;
    public readonly TorchSharp.Modules.ModuleList<DecoderLayer> layers;
    public readonly RmsNorm norm;
    protected readonly ModelConfig config;

    protected DecoderStack(ModelConfig config, IEnumerable<DecoderLayer> layers, NormStyle normStyle, TensorFactory f)
        : base("model")
    {
        this.config = config;
        embed_tokens = new Embedding(config.VocabSize, config.HiddenSize, f);
        this.layers = nn.ModuleList(layers.ToArray());
        norm = new RmsNorm(config.HiddenSize, config.RmsNormEps, normStyle, f);
        RegisterComponents();
    }

    /// <summary>The rotary embedding a layer uses (families with sliding layers may use a different θ there).</summary>
    protected abstract Rope RopeFor(int layer);

    protected virtual Tensor Embed(Tensor ids) => embed_tokens.forward(ids);

    public Tensor Forward(Tensor ids, Tensor positions, KvCache? cache, IReadOnlyList<KvCache>? rowCaches = null, Tensor? segments = null,
        VisualOverlay? visual = null)
    {
        using var scope = NewDisposeScope();
        var h = Embed(ids);
        if (visual is not null) h = h.masked_scatter(visual.Placeholders.unsqueeze(-1), visual.Features.to(h.dtype));
        var tables = new Dictionary<Rope, (Tensor, Tensor)>(ReferenceEqualityComparer.Instance);
        for (int i = 0; i < layers.Count; i++)
        {
            var rope = RopeFor(i);
            if (!tables.TryGetValue(rope, out var cs)) tables[rope] = cs = rope.Tables(positions, h.dtype);
            var window = config.IsSliding(i) ? config.SlidingWindowSize : 0;
            var rows = rowCaches?.Select(c => c.Layers[i]).ToArray();
            h = layers[i].Forward(h, new AttentionInputs(cs.Item1, cs.Item2, positions, window, cache?.Layers[i], rows, segments, visual?.Bidirectional));
        }
        return norm.forward(h).MoveToOuterDisposeScope();
    }
}
