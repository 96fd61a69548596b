// Decode and prefill throughput of a Qwen3-0.6B-shaped model (random weights) on this machine, reported as a
// ratio against the memory-bandwidth bound measured in the same run:
//   bound tokens/s = copy bandwidth / bytes of weights read per decoded token.
// Usage: dotnet run -c Release --project bench/Avocado.Bench -- [--dtype f32|bf16|both] [--prompt 128] [--decode 32] [--layers N]
using System.Diagnostics;
using Avocado.Bench;
using Avocado.Inference;
using Avocado.Models;
using Avocado.Models.Config;
using Avocado.Models.Generation;
using Avocado.Models.Layers;
using TorchSharp;
using static TorchSharp.torch;

var options = BenchOptions.Parse(args);
set_num_threads(Environment.ProcessorCount);
Console.WriteLine($"# Avocado decode/prefill benchmark — {Environment.ProcessorCount} threads, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
// Bandwidth is measured around every model run and the best value kept: on a shared machine a single measurement
// taken while a neighbour is busy would understate the bound and flatter the ratio.
var bandwidth = MemoryBandwidth.Measure();

var config = Qwen3Shape.Config(options.Layers);
Console.WriteLine($"model: Qwen3-0.6B shape, {config.NumHiddenLayers} layers, vocab {config.VocabSize}, tied head");
Console.WriteLine();
Console.WriteLine("| dtype | weights read/token | copy bandwidth | bound tok/s | decode tok/s | decode / bound | prefill tok/s (T=" + options.Prompt + ") |");
Console.WriteLine("|---|---|---|---|---|---|---|");
foreach (var dtype in options.DTypes)
{
    using var model = ModelFactory.Create(config, TensorFactory.Cpu(dtype));
    using (no_grad())
        foreach (var p in model.parameters()) p.normal_(0, 0.02);
    model.eval();
    bandwidth = Math.Max(bandwidth, MemoryBandwidth.Measure());
    // Decoding reads every weight once per token; the embedding table is read whole as the tied output head.
    long bytesPerToken = model.parameters().Sum(p => p.numel() * p.element_size());
    double bound = bandwidth / bytesPerToken;

    var prompt = Enumerable.Range(0, options.Prompt).Select(i => (long)(i * 7919 % config.VocabSize)).ToArray();
    Generate(model, prompt, 2); // warm-up: allocator, thread pool, kernels
    var prefill = Median(3, () => Time(() => Generate(model, prompt, 1)));
    var total = Median(3, () => Time(() => Generate(model, prompt, options.Decode + 1)));
    bandwidth = Math.Max(bandwidth, MemoryBandwidth.Measure());
    bound = bandwidth / bytesPerToken;
    double decodeTokensPerSecond = options.Decode / (total - prefill);
    Console.WriteLine($"| {dtype} | {bytesPerToken / 1e9:F2} GB | {bandwidth / 1e9:F1} GB/s | {bound:F2} | {decodeTokensPerSecond:F2} | {decodeTokensPerSecond / bound:F2} | {options.Prompt / prefill:F1} |");
}

static void Generate(CausalLM model, long[] prompt, int tokens)
{
    var engine = new InferenceEngine(model, new EngineOptions { MaxBatch = 1, MaxContext = int.MaxValue });
    try { engine.CompleteAsync(new EngineRequest { PromptIds = prompt, MaxNewTokens = tokens }).GetAwaiter().GetResult(); }
    finally { engine.DisposeAsync().AsTask().GetAwaiter().GetResult(); }
}

static double Time(Action a)
{
    var sw = Stopwatch.StartNew();
    a();
    return sw.Elapsed.TotalSeconds;
}

static double Median(int n, Func<double> f)
{
    var xs = Enumerable.Range(0, n).Select(_ => f()).OrderBy(x => x).ToArray();
    return xs[n / 2];
}
