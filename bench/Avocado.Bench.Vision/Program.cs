// Visual tokens per second through the vision towers (Gemma 3's SigLIP + projector, Qwen3-VL's tower), tiny and
// published shapes, random weights, CPU float32. A published tower is timed with 1 and with 2 blocks; the difference
// is one block, and the full tower is scaled from it (the blocks are identical). The baseline, measured in the same
// run, is a plain LibTorch GEMM: the ratio says what fraction of the machine's matmul rate the tower reaches.
// Usage: dotnet run -c Release --project bench/Avocado.Bench.Vision
using System.Diagnostics;
using Avocado.Models.Architectures;
using Avocado.Models.Config;
using Avocado.Models.Layers;
using Avocado.Models.Vision;
using TorchSharp;
using static TorchSharp.torch;

set_num_threads(Environment.ProcessorCount);
using var _ = no_grad();
double gemm = GemmFlops();
Console.WriteLine($"baseline: LibTorch float32 GEMM, best of three tower-like shapes, {gemm / 1e9:F1} GFLOP/s ({Environment.ProcessorCount} threads)");
Console.WriteLine("| tower | image | tokens/image | blocks | s/image (scaled) | visual tokens/s | GFLOP/image | GFLOP/s | / GEMM |");
Console.WriteLine("|---|---|---|---|---|---|---|---|---|");

var gemmaTiny = new Gemma3VisionSpec { Vision = new SiglipVisionConfig { HiddenSize = 32, IntermediateSize = 64, NumHiddenLayers = 2, NumAttentionHeads = 2, ImageSize = 32, PatchSize = 4 }, MmTokensPerImage = 16 };
Gemma("Gemma 3 SigLIP, tiny preset", gemmaTiny, 64);
Gemma("Gemma 3 SigLIP-So400m (gemma-3-4b)", new Gemma3VisionSpec { Vision = new SiglipVisionConfig() }, 2560);
Qwen("Qwen3-VL tower, tiny preset", Qwen3VLVisionConfig.Tiny, 32, 32);
Qwen("Qwen3-VL-4B tower", Qwen3VLVisionConfig.Qwen3VL4B, 448, 448);

void Gemma(string name, Gemma3VisionSpec spec, int textHidden)
{
    var v = spec.Vision;
    using var pixels = randn(1, 3, v.ImageSize, v.ImageSize);
    double Time(int layers)
    {
        var c = spec with { Vision = v with { NumHiddenLayers = layers } };
        using var tower = new SiglipVisionModel(c.Vision, TensorFactory.Cpu());
        using var projector = new Gemma3MultiModalProjector(c, textHidden, TensorFactory.Cpu());
        foreach (var p in tower.parameters().Concat(projector.parameters())) p.normal_(0, 0.02);
        return Median(() => { using var s = NewDisposeScope(); projector.forward(tower.forward(pixels)); });
    }
    long p = (long)v.PatchesPerSide * v.PatchesPerSide;
    double flops = v.NumHiddenLayers * BlockFlops(p, v.HiddenSize, v.IntermediateSize, p) + 2.0 * p * 3 * v.PatchSize * v.PatchSize * v.HiddenSize;
    Report(name, $"{v.ImageSize}²", spec.MmTokensPerImage, v.NumHiddenLayers, Time(1), Time(2), flops);
}

void Qwen(string name, Qwen3VLVisionConfig c, int height, int width)
{
    var grid = new VisionGrid(1, height / c.PatchSize, width / c.PatchSize);
    using var patches = randn(grid.Patches, c.PatchInputSize);
    double Time(int depth)
    {
        using var tower = new Qwen3VLVisionModel(c with { Depth = depth, DeepstackVisualIndexes = [] }, TensorFactory.Cpu());
        foreach (var p in tower.parameters()) p.normal_(0, 0.02);
        return Median(() => { using var s = NewDisposeScope(); tower.Forward(patches, [grid]).Dispose(); });
    }
    long n = grid.Patches;
    double flops = c.Depth * BlockFlops(n, c.HiddenSize, c.IntermediateSize, n) + 2.0 * n * c.PatchInputSize * c.HiddenSize;
    Report(name + " (DeepStack mergers not timed)", $"{width}×{height}", grid.MergedTokens(c.SpatialMergeSize), c.Depth, Time(1), Time(2), flops);
}

void Report(string name, string image, int tokens, int blocks, double oneBlock, double twoBlocks, double flops)
{
    double perBlock = Math.Max(0, twoBlocks - oneBlock), full = oneBlock + (blocks - 1) * perBlock;
    double rate = flops / full;
    Console.WriteLine($"| {name} | {image} | {tokens} | {blocks} | {full:F3} | {tokens / full:F0} | {flops / 1e9:F1} | {rate / 1e9:F1} | {rate / gemm:F2} |");
}

// One pre-LN transformer block over n tokens: QKV + output projections, the MLP, and attention over `keys` tokens.
static double BlockFlops(long n, long c, long mlp, long keys) => 2.0 * n * (4 * c * c + 2 * c * mlp) + 4.0 * n * keys * c;

// The best rate of a few GEMM shapes like the towers' (square, and token × hidden × MLP).
static double GemmFlops() => new (long M, long K, long N)[] { (2048, 2048, 2048), (1024, 1024, 4096), (4096, 1152, 4304) }.Max(s =>
{
    using var a = randn(s.M, s.K);
    using var b = randn(s.K, s.N);
    double seconds = Median(() => { using var scope = NewDisposeScope(); matmul(a, b); });
    return 2.0 * s.M * s.K * s.N / seconds;
});

static double Median(Action run)
{
    run(); // warm-up: allocator, kernels
    var times = Enumerable.Range(0, 3).Select(_ => { var sw = Stopwatch.StartNew(); run(); return sw.Elapsed.TotalSeconds; }).Order().ToArray();
    return times[1];
}
