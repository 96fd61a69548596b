// Gemma 3 that sees: SigLIP tower + multi-modal projector in front of the Gemma 3 decoder. Reference: transformers
// models/gemma3/modeling_gemma3.py (Gemma3MultiModalProjector, Gemma3Model.get_image_features, the token-type mask).
using Avocado.Models.Config;
using Avocado.Models.Layers;
using Avocado.Models.Torch;
using Avocado.Models.Vision;
using TorchSharp;
using static TorchSharp.torch;

namespace Avocado.Models.Architectures;

/// <summary>Patch features (N, P, Cv) → soft tokens (N, mm_tokens_per_image, Ct): average-pool the patch grid down
/// to √mm_tokens per side, (1+w) RMSNorm, then a projection stored in×out (unlike nn.Linear).</summary>
public sealed class Gemma3MultiModalProjector : nn.Module<Tensor, Tensor>
{
    public readonly Parameter mm_input_projection_weight; // (Cv, Ct)
    public readonly RmsNorm mm_soft_emb_norm;
    readonly int patchesPerSide, kernel;

    public Gemma3MultiModalProjector(Gemma3VisionSpec spec, int textHidden, TensorFactory f) : base(nameof(Gemma3MultiModalProjector))
    {
        mm_input_projection_weight = f.Parameter(spec.Vision.HiddenSize, textHidden);
        mm_soft_emb_norm = new RmsNorm(spec.Vision.HiddenSize, spec.Vision.LayerNormEps, NormStyle.GemmaOnePlus, f);
        patchesPerSide = spec.Vision.PatchesPerSide;
        kernel = patchesPerSide / spec.TokensPerSide;
        RegisterComponents();
    }

    public override Tensor forward(Tensor features)
    {
        using var scope = NewDisposeScope();
        long n = features.shape[0], c = features.shape[2];
        var grid = features.transpose(1, 2).reshape(n, c, patchesPerSide, patchesPerSide);      // (N, Cv, 64, 64)
        var pooled = nn.functional.avg_pool2d(grid, [kernel, kernel], [kernel, kernel]);          // (N, Cv, 16, 16)
        var tokens = mm_soft_emb_norm.forward(pooled.flatten(2).transpose(1, 2));                // (N, 256, Cv)
        return matmul(tokens, mm_input_projection_weight).MoveToOuterDisposeScope();             // (N, 256, Ct)
    }
}

/// <summary>Pixels for the <c>&lt;image_soft_token&gt;</c> placeholders of one prompt, in prompt order: (N, 3, S, S),
/// resized and normalised as the Gemma 3 processor does (<c>Gemma3Preprocessing</c>).</summary>
public sealed record Gemma3Images(Tensor PixelValues) : VisualInputs;

/// <summary><c>Gemma3ForConditionalGeneration</c>: our tree is <c>vision_tower.vision_model.*</c>,
/// <c>multi_modal_projector.*</c>, <c>model.*</c> (the text decoder) and <c>lm_head</c>; checkpoints name the text part
/// <c>language_model.model.*</c> or <c>model.language_model.*</c> (see <see cref="CheckpointLayout"/>).</summary>
public sealed class Gemma3ForConditionalGeneration : CausalLM
{
    public readonly SiglipVisionModel vision_tower;
    public readonly Gemma3MultiModalProjector multi_modal_projector;
    readonly Gemma3VisionSpec spec;

    public Gemma3ForConditionalGeneration(Gemma3Config c, TensorFactory f) : base(c, new Gemma3Model(c, f), f)
    {
        spec = c.Vision ?? throw new ConfigException("a Gemma 3 that sees needs vision_config");
        vision_tower = new SiglipVisionModel(spec.Vision, f);
        multi_modal_projector = new Gemma3MultiModalProjector(spec, c.HiddenSize, f);
        // The base constructor registered its fields already, and RegisterComponents runs once per module.
        register_module(nameof(vision_tower), vision_tower);
        register_module(nameof(multi_modal_projector), multi_modal_projector);
    }

    public Gemma3VisionSpec Spec => spec;

    /// <summary>What replaces the placeholders of N images: (N, mm_tokens_per_image, hidden), unscaled.</summary>
    public Tensor ImageFeatures(Tensor pixelValues)
    {
        using var scope = NewDisposeScope();
        var patches = vision_tower.forward(pixelValues.to(DType));
        return multi_modal_projector.forward(patches).MoveToOuterDisposeScope();
    }

    /// <summary>Image features replace the placeholder embeddings after the √hidden scaling (features are not scaled);
    /// the tokens of one image attend to each other both ways.</summary>
    protected override VisualOverlay? Overlay(ForwardInputs input)
    {
        if (input.Visual is null) return null;
        if (input.Visual is not Gemma3Images images)
            throw new ArgumentException($"Gemma 3 reads images as {nameof(Gemma3Images)}, not {input.Visual.GetType().Name}");
        if (input.Ids.shape[0] != 1) throw new ArgumentException("images go with a prompt of one row (prefill one request at a time)");
        using var scope = NewDisposeScope();
        var placeholders = input.Ids.Eq((long)spec.ImageTokenIndex);                          // (1, T)
        long count = images.PixelValues.shape[0], expected = count * spec.MmTokensPerImage;
        long found = placeholders.sum().item<long>();
        if (found != expected)
            throw new ArgumentException($"the prompt holds {found} image placeholder tokens but {count} image(s) need {expected} " +
                $"({spec.MmTokensPerImage} each); expand each image with the chat format's image markup");
        var features = ImageFeatures(images.PixelValues).reshape(expected, -1);                 // (K, C)
        var spans = PlaceholderSpans(placeholders[0], input.Positions[0]);
        return new VisualOverlay(placeholders.MoveToOuterDisposeScope(), features.MoveToOuterDisposeScope(), spans);
    }

    /// <summary>Runs of consecutive placeholders (one per image) as position ranges [start, end).</summary>
    static IReadOnlyList<(long Start, long End)> PlaceholderSpans(Tensor isPlaceholder, Tensor positions)
    {
        var flags = isPlaceholder.data<bool>().ToArray();
        var pos = positions.data<long>().ToArray();
        var spans = new List<(long, long)>();
        for (int t = 0; t < flags.Length; t++)
        {
            if (!flags[t] || (t > 0 && flags[t - 1])) continue;
            int end = t;
            while (end < flags.Length && flags[end]) end++;
            spans.Add((pos[t], pos[end - 1] + 1));
        }
        return spans;
    }

    protected override Tensor SoftcapLogits(Tensor logits) =>
        ((Gemma3Config)Config).FinalLogitSoftcapping is { } cap ? logits.Div(cap).tanh().Mul(cap) : logits;
}
