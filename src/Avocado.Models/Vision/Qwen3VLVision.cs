// Qwen3-VL vision tower. Reference: transformers models/qwen3_vl/modeling_qwen3_vl.py (Qwen3VLVisionModel).
// Flattened patches in merge-block order → Conv3d patch embedding (as a matmul) + learned positions bilinearly
// interpolated to the grid → pre-LN ViT blocks with 2-D rotary attention inside each temporal group → 2×2 patch
// merger into the language model's width. DeepStack: chosen blocks' outputs pass mergers of their own.
using Avocado.Models.Config;
using Avocado.Models.Layers;
using Avocado.Models.Torch;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using Embedding = Avocado.Models.Layers.Embedding;
using LayerNorm = Avocado.Models.Layers.LayerNorm;
using Linear = Avocado.Models.Layers.Linear;

namespace Avocado.Models.Vision;

/// <summary>One image or video in patches: <see cref="T"/> temporal groups (frame pairs) of <see cref="H"/>×<see cref="W"/>
/// patches (the reference's grid_thw row).</summary>
public readonly record struct VisionGrid(int T, int H, int W)
{
    public int Patches => T * H * W;
    /// <summary>Tokens it becomes in the language model: H·W/m² per temporal group.</summary>
    public int MergedTokens(int mergeSize) => Patches / (mergeSize * mergeSize);
}

/// <summary><see cref="Merged"/> (N/m², out_hidden) and one (N/m², out_hidden) per deepstack_visual_indexes entry, in
/// block order. Owns its tensors.</summary>
public sealed record Qwen3VLVisionOutput(Tensor Merged, IReadOnlyList<Tensor> DeepStack) : IDisposable
{
    public void Dispose()
    {
        Merged.Dispose();
        foreach (var t in DeepStack) t.Dispose();
    }
}

/// <summary>Conv3d whose kernel equals its stride (T, p, p): over one patch it is a dot product with the flattened
/// kernel, so it runs as a matmul over flattened patches. The weight keeps the checkpoint's shape [hidden, C, T, p, p],
/// whose flattening order (C, T, p, p) is the processor's patch layout.</summary>
public sealed class PatchConv3d : nn.Module<Tensor, Tensor>
{
    public readonly Parameter weight, bias;

    public PatchConv3d(int inChannels, int hidden, int temporal, int patch, TensorFactory f) : base(nameof(PatchConv3d))
    {
        weight = f.Parameter(hidden, inChannels, temporal, patch, patch);
        bias = f.Parameter(hidden);
        RegisterComponents();
    }

    /// <summary>(N, C·T·p·p) → (N, hidden).</summary>
    public override Tensor forward(Tensor patches) => nn.functional.linear(patches, weight.view(weight.shape[0], -1), bias);
}

public sealed class Qwen3VLPatchEmbed : nn.Module<Tensor, Tensor>
{
    public readonly PatchConv3d proj;

    public Qwen3VLPatchEmbed(Qwen3VLVisionConfig c, TensorFactory f) : base(nameof(Qwen3VLPatchEmbed))
    {
        proj = new PatchConv3d(c.InChannels, c.HiddenSize, c.TemporalPatchSize, c.PatchSize, f);
        RegisterComponents();
    }

    public override Tensor forward(Tensor patches) => proj.forward(patches);
}

/// <summary>Bidirectional multi-head attention with a fused qkv projection, restricted to each temporal group of each
/// image (the reference's cu_seqlens): frames of a video never attend to each other inside the tower.</summary>
public sealed class Qwen3VLVisionAttention : nn.Module
{
    public readonly Linear qkv, proj;
    readonly int heads, headDim;

    public Qwen3VLVisionAttention(Qwen3VLVisionConfig c, TensorFactory f) : base(nameof(Qwen3VLVisionAttention))
    {
        heads = c.NumHeads;
        headDim = c.HeadDim;
        qkv = new Linear(c.HiddenSize, 3 * c.HiddenSize, hasBias: true, f);
        proj = new Linear(c.HiddenSize, c.HiddenSize, hasBias: true, f);
        RegisterComponents();
    }

    /// <summary>x (N, C); cos, sin (N, 1, d) fp32 → (N, C).</summary>
    public Tensor Forward(Tensor x, Tensor cos, Tensor sin, IReadOnlyList<VisionGrid> grids)
    {
        using var scope = NewDisposeScope();
        long n = x.shape[0];
        var fused = qkv.forward(x).view(n, 3, heads, headDim);                  // (N, 3, H, d)
        var q = RotateInFp32(fused.select(1, 0), cos, sin);                      // (N, H, d)
        var k = RotateInFp32(fused.select(1, 1), cos, sin);
        var v = fused.select(1, 2);
        var outputs = new List<Tensor>(grids.Count);
        long start = 0;
        foreach (var g in grids)
        {
            long length = (long)g.H * g.W, count = g.T * length;
            // A video's temporal groups share one length, so they run as one batch of T sequences.
            Tensor Groups(Tensor t) => t.narrow(0, start, count).view(g.T, length, heads, headDim).transpose(1, 2); // (T, H, L, d)
            var attended = nn.functional.scaled_dot_product_attention(Groups(q), Groups(k), Groups(v)); // scale 1/√d
            outputs.Add(attended.transpose(1, 2).reshape(count, heads * headDim));                     // (T·L, C)
            start += count;
        }
        return proj.forward(cat(outputs, 0)).MoveToOuterDisposeScope();
    }

    /// <summary>The reference rotates in fp32 whatever the model dtype, then casts back.</summary>
    static Tensor RotateInFp32(Tensor x, Tensor cos, Tensor sin) => Rope.Apply(x.to(ScalarType.Float32), cos, sin).to(x.dtype);
}

public sealed class Qwen3VLVisionMlp : nn.Module<Tensor, Tensor>
{
    public readonly Linear linear_fc1, linear_fc2;

    public Qwen3VLVisionMlp(Qwen3VLVisionConfig c, TensorFactory f) : base(nameof(Qwen3VLVisionMlp))
    {
        linear_fc1 = new Linear(c.HiddenSize, c.IntermediateSize, hasBias: true, f);
        linear_fc2 = new Linear(c.IntermediateSize, c.HiddenSize, hasBias: true, f);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var hidden = nn.functional.gelu(linear_fc1.forward(x), GELU.Approximate.tanh); // gelu_pytorch_tanh
        return linear_fc2.forward(hidden).MoveToOuterDisposeScope();
    }
}

public sealed class Qwen3VLVisionBlock : nn.Module
{
    public readonly LayerNorm norm1, norm2; // with bias, eps 1e-6
    public readonly Qwen3VLVisionAttention attn;
    public readonly Qwen3VLVisionMlp mlp;

    public Qwen3VLVisionBlock(Qwen3VLVisionConfig c, TensorFactory f) : base(nameof(Qwen3VLVisionBlock))
    {
        norm1 = new LayerNorm(c.HiddenSize, 1e-6, f);
        norm2 = new LayerNorm(c.HiddenSize, 1e-6, f);
        attn = new Qwen3VLVisionAttention(c, f);
        mlp = new Qwen3VLVisionMlp(c, f);
        RegisterComponents();
    }

    /// <summary>h (N, C) → (N, C), pre-norm residual.</summary>
    public Tensor Forward(Tensor h, Tensor cos, Tensor sin, IReadOnlyList<VisionGrid> grids)
    {
        using var scope = NewDisposeScope();
        h = h.Add(attn.Forward(norm1.forward(h), cos, sin, grids));
        h = h.Add(mlp.forward(norm2.forward(h)));
        return h.MoveToOuterDisposeScope();
    }
}

/// <summary>Concatenates each 2×2 block of patch features (4 consecutive rows, thanks to the merge-block order) and
/// projects it to the language model's width: LayerNorm → fc1 → GELU → fc2.</summary>
public sealed class Qwen3VLPatchMerger : nn.Module<Tensor, Tensor>
{
    public readonly LayerNorm norm;
    public readonly Linear linear_fc1, linear_fc2;
    readonly bool normAfterShuffle;
    readonly long groupWidth;

    /// <param name="normAfterShuffle">The reference's use_postshuffle_norm. Differs between the two kinds: the final
    /// merger normalises each patch (hidden) before grouping; DeepStack mergers normalise the group (m²·hidden).</param>
    public Qwen3VLPatchMerger(Qwen3VLVisionConfig c, bool normAfterShuffle, TensorFactory f) : base(nameof(Qwen3VLPatchMerger))
    {
        this.normAfterShuffle = normAfterShuffle;
        groupWidth = c.MergedInputSize;
        norm = new LayerNorm(normAfterShuffle ? groupWidth : c.HiddenSize, 1e-6, f);
        linear_fc1 = new Linear(groupWidth, groupWidth, hasBias: true, f);
        linear_fc2 = new Linear(groupWidth, c.OutHiddenSize, hasBias: true, f);
        RegisterComponents();
    }

    /// <summary>(N, hidden) → (N/m², out_hidden).</summary>
    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var grouped = normAfterShuffle ? norm.forward(x.reshape(-1, groupWidth)) : norm.forward(x).reshape(-1, groupWidth);
        var hidden = nn.functional.gelu(linear_fc1.forward(grouped)); // exact (erf) GELU here, unlike the blocks' tanh
        return linear_fc2.forward(hidden).MoveToOuterDisposeScope();
    }
}

/// <summary>The tower, named <c>visual</c> in the checkpoint: its parameter names are the keys after
/// <see cref="CheckpointPrefix"/>.</summary>
public sealed class Qwen3VLVisionModel : nn.Module
{
    public const string CheckpointPrefix = "model.visual.";

    public readonly Qwen3VLPatchEmbed patch_embed;
    public readonly Embedding pos_embed;                   // [side², hidden], a side × side grid of positions
    public readonly ModuleList<Qwen3VLVisionBlock> blocks;
    public readonly Qwen3VLPatchMerger merger;
    public readonly ModuleList<Qwen3VLPatchMerger> deepstack_merger_list;

    public Qwen3VLVisionConfig Config { get; }

    public Qwen3VLVisionModel(Qwen3VLVisionConfig c, TensorFactory f) : base("visual")
    {
        c.Validate("vision_config");
        Config = c;
        patch_embed = new Qwen3VLPatchEmbed(c, f);
        pos_embed = new Embedding(c.NumPositionEmbeddings, c.HiddenSize, f);
        blocks = nn.ModuleList(Enumerable.Range(0, c.Depth).Select(_ => new Qwen3VLVisionBlock(c, f)).ToArray());
        merger = new Qwen3VLPatchMerger(c, normAfterShuffle: false, f);
        deepstack_merger_list = nn.ModuleList(c.DeepstackVisualIndexes.Select(_ => new Qwen3VLPatchMerger(c, normAfterShuffle: true, f)).ToArray());
        RegisterComponents();
    }

    /// <summary>patches (Σ T·H·W, C·T·p·p) for the images and videos of <paramref name="grids"/>, in that order
    /// → merged tokens and DeepStack features, each (Σ T·H·W / m², out_hidden).</summary>
    public Qwen3VLVisionOutput Forward(Tensor patches, IReadOnlyList<VisionGrid> grids)
    {
        CheckInputs(patches, grids);
        using var scope = NewDisposeScope();
        var dtype = pos_embed.weight.dtype;
        var h = patch_embed.forward(patches.to(dtype));                                   // (N, C)
        h = h.Add(PositionEmbeddings(grids));
        var (cos, sin) = RotaryTables(grids);                                              // (N, 1, d) fp32
        var deepstack = new List<Tensor>();
        for (int i = 0; i < blocks.Count; i++)
        {
            h = blocks[i].Forward(h, cos, sin, grids);
            int tap = Array.IndexOf(Config.DeepstackVisualIndexes, i);
            if (tap >= 0) deepstack.Add(deepstack_merger_list[tap].forward(h));
        }
        var merged = merger.forward(h);
        return new Qwen3VLVisionOutput(merged.MoveToOuterDisposeScope(), deepstack.Select(t => t.MoveToOuterDisposeScope()).ToList());
    }

    void CheckInputs(Tensor patches, IReadOnlyList<VisionGrid> grids)
    {
        int m = Config.SpatialMergeSize;
        if (grids.Count == 0) throw new ArgumentException("at least one grid is needed", nameof(grids));
        foreach (var g in grids)
            if (g.T <= 0 || g.H <= 0 || g.W <= 0 || g.H % m != 0 || g.W % m != 0)
                throw new ArgumentException($"grid {g} must be positive with H and W multiples of spatial_merge_size {m}", nameof(grids));
        long rows = grids.Sum(g => (long)g.Patches);
        if (patches.dim() != 2 || patches.shape[0] != rows || patches.shape[1] != Config.PatchInputSize)
            throw new ArgumentException($"patches have shape [{string.Join(", ", patches.shape)}]; the grids need [{rows}, {Config.PatchInputSize}] (C·T·p·p)", nameof(patches));
    }

    /// <summary>The reference's fast_pos_embed_interpolate: the side × side table is sampled bilinearly at an H × W
    /// grid of points spanning it corner to corner (linspace(0, side − 1) per axis, in fp32), repeated for every temporal
    /// group, in merge-block order. (N, C).</summary>
    Tensor PositionEmbeddings(IReadOnlyList<VisionGrid> grids)
    {
        using var scope = NewDisposeScope();
        int side = Config.PositionGridSide, n = grids.Sum(g => g.Patches);
        var index = new long[4 * n];   // four corners: (low row, low col), (low, high), (high, low), (high, high)
        var weight = new float[4 * n];
        int i = 0;
        foreach (var g in grids)
        {
            var (rowLow, rowHigh, rowFraction) = InterpolationPoints(side, g.H);
            var (colLow, colHigh, colFraction) = InterpolationPoints(side, g.W);
            foreach (var (r, c) in MergeBlockOrder(g))
            {
                float dh = rowFraction[r], dw = colFraction[c];
                (index[i], weight[i]) = (rowLow[r] * side + colLow[c], (1 - dh) * (1 - dw));
                (index[n + i], weight[n + i]) = (rowLow[r] * side + colHigh[c], (1 - dh) * dw);
                (index[2 * n + i], weight[2 * n + i]) = (rowHigh[r] * side + colLow[c], dh * (1 - dw));
                (index[3 * n + i], weight[3 * n + i]) = (rowHigh[r] * side + colHigh[c], dh * dw);
                i++;
            }
        }
        var device = pos_embed.weight.device;
        var corners = pos_embed.forward(tensor(index, device: device)).view(4, n, -1)
                      * tensor(weight, device: device).to(pos_embed.weight.dtype).view(4, n, 1); // (4, N, C)
        var sum = corners.select(0, 0).Add(corners.select(0, 1)).Add(corners.select(0, 2)).Add(corners.select(0, 3));
        return sum.MoveToOuterDisposeScope();
    }

    /// <summary>torch.linspace(0, side − 1, count) in fp32 (first half counted from the start, second half from the
    /// end, as torch does), split into floor, floor + 1 clamped to the table, and the fraction.</summary>
    static (int[] Low, int[] High, float[] Fraction) InterpolationPoints(int side, int count)
    {
        float end = side - 1, step = count > 1 ? end / (count - 1) : 0;
        var (low, high, fraction) = (new int[count], new int[count], new float[count]);
        for (int k = 0; k < count; k++)
        {
            float point = k < count / 2 ? step * k : end - step * (count - 1 - k);
            low[k] = (int)point;
            high[k] = Math.Min(low[k] + 1, side - 1);
            fraction[k] = point - low[k];
        }
        return (low, high, fraction);
    }

    /// <summary>(row, column) of each patch in the processor's order: per temporal group, m×m blocks row-major,
    /// patches row-major inside a block.</summary>
    IEnumerable<(int Row, int Col)> MergeBlockOrder(VisionGrid g)
    {
        int m = Config.SpatialMergeSize;
        for (int t = 0; t < g.T; t++)
        for (int blockRow = 0; blockRow < g.H / m; blockRow++)
        for (int blockCol = 0; blockCol < g.W / m; blockCol++)
        for (int r = 0; r < m; r++)
        for (int c = 0; c < m; c++)
            yield return (blockRow * m + r, blockCol * m + c);
    }

    /// <summary>2-D rotary tables: the first half of each head rotates by the patch's row, the second by its column,
    /// each with θ = 10000 over d/2 dimensions (the reference's rot_pos_emb); angles in fp32. cos, sin (N, 1, d).</summary>
    (Tensor Cos, Tensor Sin) RotaryTables(IReadOnlyList<VisionGrid> grids)
    {
        using var scope = NewDisposeScope();
        int half = Config.HeadDim / 2, frequencies = half / 2, n = grids.Sum(g => g.Patches);
        var inverse = Enumerable.Range(0, frequencies).Select(j => 1f / MathF.Pow(10000f, 2f * j / half)).ToArray();
        var angles = new float[n * half];   // per patch: row·inverse, then column·inverse
        int i = 0;
        foreach (var g in grids)
        foreach (var (r, c) in MergeBlockOrder(g))
        {
            for (int j = 0; j < frequencies; j++)
            {
                angles[i * half + j] = r * inverse[j];
                angles[i * half + frequencies + j] = c * inverse[j];
            }
            i++;
        }
        var table = tensor(angles, [n, half], device: pos_embed.weight.device);
        var full = cat([table, table], -1).unsqueeze(1);                                       // (N, 1, d)
        return (full.cos().MoveToOuterDisposeScope(), full.sin().MoveToOuterDisposeScope());
    }
}
