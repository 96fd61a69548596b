// SigLIP vision encoder as Gemma 3 uses it (no pooling head). Reference: transformers models/siglip/modeling_siglip.py
// (SiglipVisionModel → SiglipVisionTransformer). Field names are the checkpoint keys under vision_tower.vision_model.
using Avocado.Models.Config;
using Avocado.Models.Layers;
using Avocado.Models.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace Avocado.Models.Vision;

/// <summary>Non-overlapping p×p patches → hidden (a Conv2d with stride p), plus a learned position per patch (no CLS).</summary>
public sealed class SiglipVisionEmbeddings : nn.Module<Tensor, Tensor>
{
    public readonly PatchConv2d patch_embedding;
    public readonly Embedding position_embedding;

    public SiglipVisionEmbeddings(SiglipVisionConfig c, TensorFactory f) : base(nameof(SiglipVisionEmbeddings))
    {
        patch_embedding = new PatchConv2d(c.NumChannels, c.HiddenSize, c.PatchSize, f);
        position_embedding = new Embedding((long)c.PatchesPerSide * c.PatchesPerSide, c.HiddenSize, f);
        RegisterComponents();
    }

    /// <summary>pixels (N, 3, S, S) → (N, P, C) with P = (S/p)², patches in row-major order.</summary>
    public override Tensor forward(Tensor pixels)
    {
        using var scope = NewDisposeScope();
        var patches = patch_embedding.forward(pixels.to(patch_embedding.weight.dtype)); // (N, C, S/p, S/p)
        var embeddings = patches.flatten(2).transpose(1, 2);                              // (N, P, C)
        return embeddings.Add(position_embedding.weight.unsqueeze(0)).MoveToOuterDisposeScope();
    }
}

/// <summary>A Conv2d whose kernel equals its stride (patchify + project), weight (out, in, p, p) with bias.</summary>
public sealed class PatchConv2d : nn.Module<Tensor, Tensor>
{
    public readonly Parameter weight, bias;
    readonly long patch;

    public PatchConv2d(long inChannels, long outChannels, long patch, TensorFactory f) : base(nameof(PatchConv2d))
    {
        weight = f.Parameter(outChannels, inChannels, patch, patch);
        bias = f.Parameter(outChannels);
        this.patch = patch;
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) => nn.functional.conv2d(x, weight, bias, strides: [patch, patch]);
}

/// <summary>Bidirectional multi-head attention over the patches of one image, with biases; scale 1/√d.</summary>
public sealed class SiglipAttention : nn.Module<Tensor, Tensor>
{
    public readonly Linear q_proj, k_proj, v_proj, out_proj;
    readonly int heads, headDim;

    public SiglipAttention(SiglipVisionConfig c, TensorFactory f) : base(nameof(SiglipAttention))
    {
        heads = c.NumAttentionHeads;
        headDim = c.HeadDim;
        q_proj = new Linear(c.HiddenSize, c.HiddenSize, true, f);
        k_proj = new Linear(c.HiddenSize, c.HiddenSize, true, f);
        v_proj = new Linear(c.HiddenSize, c.HiddenSize, true, f);
        out_proj = new Linear(c.HiddenSize, c.HiddenSize, true, f);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        long n = x.shape[0], p = x.shape[1];
        Tensor Heads(Linear proj) => proj.forward(x).view(n, p, heads, headDim).transpose(1, 2); // (N, H, P, d)
        // No mask (every patch sees every patch) and the default scale 1/√d: LibTorch's fused attention, which never
        // holds the (N, H, P, P) scores in float32 at once — at 4,096 patches the masked path was 5× slower here.
        var output = nn.functional.scaled_dot_product_attention(Heads(q_proj), Heads(k_proj), Heads(v_proj));
        return out_proj.forward(output.transpose(1, 2).reshape(n, p, heads * headDim)).MoveToOuterDisposeScope();
    }
}

/// <summary>fc1 → GELU (tanh) → fc2.</summary>
public sealed class SiglipMlp : nn.Module<Tensor, Tensor>
{
    public readonly Linear fc1, fc2;

    public SiglipMlp(SiglipVisionConfig c, TensorFactory f) : base(nameof(SiglipMlp))
    {
        fc1 = new Linear(c.HiddenSize, c.IntermediateSize, true, f);
        fc2 = new Linear(c.IntermediateSize, c.HiddenSize, true, f);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        return fc2.forward(fc1.forward(x).gelu(TorchSharp.Modules.GELU.Approximate.tanh)).MoveToOuterDisposeScope();
    }
}

/// <summary>Pre-LN block: x + attn(LN1(x)), then + mlp(LN2(·)).</summary>
public sealed class SiglipEncoderLayer : nn.Module<Tensor, Tensor>
{
    public readonly LayerNorm layer_norm1, layer_norm2;
    public readonly SiglipAttention self_attn;
    public readonly SiglipMlp mlp;

    public SiglipEncoderLayer(SiglipVisionConfig c, TensorFactory f) : base(nameof(SiglipEncoderLayer))
    {
        layer_norm1 = new LayerNorm(c.HiddenSize, c.LayerNormEps, f);
        self_attn = new SiglipAttention(c, f);
        layer_norm2 = new LayerNorm(c.HiddenSize, c.LayerNormEps, f);
        mlp = new SiglipMlp(c, f);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        x = x.Add(self_attn.forward(layer_norm1.forward(x)));
        return x.Add(mlp.forward(layer_norm2.forward(x))).MoveToOuterDisposeScope();
    }
}

public sealed class SiglipEncoder : nn.Module
{
    public readonly TorchSharp.Modules.ModuleList<SiglipEncoderLayer> layers;

    public SiglipEncoder(SiglipVisionConfig c, TensorFactory f) : base(nameof(SiglipEncoder))
    {
        layers = nn.ModuleList(Enumerable.Range(0, c.NumHiddenLayers).Select(_ => new SiglipEncoderLayer(c, f)).ToArray());
        RegisterComponents();
    }
}

/// <summary><c>vision_model</c>: embeddings → encoder layers → post_layernorm.</summary>
public sealed class SiglipVisionTransformer : nn.Module<Tensor, Tensor>
{
    public readonly SiglipVisionEmbeddings embeddings;
    public readonly SiglipEncoder encoder;
    public readonly LayerNorm post_layernorm;
    readonly SiglipVisionConfig config;

    public SiglipVisionTransformer(SiglipVisionConfig c, TensorFactory f) : base(nameof(SiglipVisionTransformer))
    {
        config = c;
        embeddings = new SiglipVisionEmbeddings(c, f);
        encoder = new SiglipEncoder(c, f);
        post_layernorm = new LayerNorm(c.HiddenSize, c.LayerNormEps, f);
        RegisterComponents();
    }

    /// <summary>pixels (N, 3, S, S), normalised → patch features (N, P, C).</summary>
    public override Tensor forward(Tensor pixels)
    {
        if (pixels.ndim != 4 || pixels.shape[1] != 3 || pixels.shape[2] != config.ImageSize || pixels.shape[3] != config.ImageSize)
            throw new ArgumentException($"pixels must be (images, 3, {config.ImageSize}, {config.ImageSize}); got ({string.Join(", ", pixels.shape)})");
        using var scope = NewDisposeScope();
        var h = embeddings.forward(pixels);
        foreach (var layer in encoder.layers) h = layer.forward(h);
        return post_layernorm.forward(h).MoveToOuterDisposeScope();
    }
}

/// <summary><c>vision_tower</c> (transformers <c>SiglipVisionModel</c>): only holds <c>vision_model</c>.</summary>
public sealed class SiglipVisionModel : nn.Module<Tensor, Tensor>
{
    public readonly SiglipVisionTransformer vision_model;

    public SiglipVisionModel(SiglipVisionConfig c, TensorFactory f) : base(nameof(SiglipVisionModel))
    {
        vision_model = new SiglipVisionTransformer(c, f);
        RegisterComponents();
    }

    public override Tensor forward(Tensor pixels) => vision_model.forward(pixels);
}
