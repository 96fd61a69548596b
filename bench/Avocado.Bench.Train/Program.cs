// Training throughput of a ≥10M-parameter student through the real Trainer (sequence-level CE, packed rows, AdamW,
// fp32 on the CPU), reported as model-FLOPs utilisation against the fp32 matmul peak measured in the same run:
//   MFU = model FLOPs per second (PaLM's 6·N + 12·L·H·Q·T per token, see FlopModel) ÷ best square-matmul FLOP/s.
// Usage: dotnet run -c Release --project bench/Avocado.Bench.Train -- [--steps 12] [--warmup 2] [--segment 4]
//        [--hidden 384] [--layers 6] [--seq-len 256] [--batch 8] [--threads N] [--breakdown]
using System.Runtime.CompilerServices;
using Avocado.Bench.Train;
using Avocado.Training;
using Avocado.Training.Run;
using Avocado.Models;
using static TorchSharp.torch;

var options = TrainBenchOptions.Parse(args);
if (options is null) return 2;
// Avocado.Models' module initializer sets its native defaults (OMP_WAIT_POLICY=PASSIVE) before LibTorch loads, as
// it does for the CLI; the first torch call below would otherwise load LibTorch first.
RuntimeHelpers.RunModuleConstructor(typeof(CausalLM).Module.ModuleHandle);
set_num_threads(options.Threads);
Console.WriteLine($"command: {options.Command()}");
Console.WriteLine($"# Avocado training throughput — {get_num_threads()} torch threads, {Environment.ProcessorCount} cores, " +
                  $"{DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, load avg {LoadAverage.Now()}, " +
                  $"OMP_WAIT_POLICY={Environment.GetEnvironmentVariable("OMP_WAIT_POLICY") ?? "PASSIVE (Avocado.Models' default)"}");

using var workload = new Workload(options);
var peaks = new List<(double Peak, double At1024, double At2048)> { MatmulPeak.Measure() };
Console.WriteLine($"matmul peak (fp32, best of runs): 1024² {peaks[0].At1024 / 1e9:F1} GFLOP/s, 2048² {peaks[0].At2048 / 1e9:F1} GFLOP/s");

if (options.Breakdown)
{
    Breakdown.Run(options, workload, () =>
    {
        peaks.Add(MatmulPeak.Measure());
        return peaks.Max(p => p.Peak);
    });
    Console.WriteLine($"matmul peaks (GFLOP/s, 1024²/2048²): {string.Join("  ", peaks.Select(p => $"{p.At1024 / 1e9:F0}/{p.At2048 / 1e9:F0}"))}; " +
                      $"tables use the best so far; load avg {LoadAverage.Now()}");
    return 0;
}

int total = options.Warmup + options.Steps;
FlopModel flops;
long parameters, embedding;
var segments = new List<(int From, int To, double Seconds, long Tokens, long Targets)>();
// No log writer: TrainProgress (src/Avocado.Training/Run/TrainProgress.cs) computes now − TimeSpan.MinValue on
// its first line and throws OverflowException with any non-null writer.
using (var trainer = new Trainer(workload.Config("run"), null))
{
    flops = FlopModel.For(trainer.Student, options.SeqLen);
    parameters = trainer.Student.parameters().Sum(p => p.numel());
    embedding = trainer.Student.model.embed_tokens.weight.numel();
    // Warm-up steps (allocator, thread pool, first touch of the weights), stopped with a checkpoint; then the same
    // trainer resumes segment by segment. The trainer's own state — elapsed seconds of its step loop, tokens, target
    // tokens — is checkpointed at every stop, so differences of states are exactly the timed steps: the loop clock runs
    // from the start of a resumed loop to the end of its last optimizer update (checkpoint I/O is outside it). The
    // matmul peak is measured again between segments, so a busy neighbour shows in both halves of the ratio.
    var previous = Stop(trainer.Run(resume: false, stopAfter: options.Warmup), options.Warmup);
    for (int stop = options.Warmup + options.Segment; ; stop += options.Segment)
    {
        stop = Math.Min(stop, total);
        var state = Stop(trainer.Run(resume: true, stopAfter: stop), stop);
        segments.Add((previous.Step, state.Step, state.ElapsedSeconds - previous.ElapsedSeconds, state.Tokens - previous.Tokens, state.TargetTokens - previous.TargetTokens));
        peaks.Add(MatmulPeak.Measure());
        previous = state;
        if (stop == total) break;
    }
}
double seconds = segments.Sum(s => s.Seconds);
long tokens = segments.Sum(s => s.Tokens), targets = segments.Sum(s => s.Targets);
var plan = workload.Count(options.Warmup, total);
if (plan.Tokens != tokens || plan.Targets != targets)
    Console.WriteLine($"warning: the trainer counted {tokens} tokens / {targets} targets, the packing plan {plan.Tokens} / {plan.Targets}");

double peak = peaks.Max(p => p.Peak);
double achieved = flops.Step(tokens, targets) / seconds;
double mfu = achieved / peak;

Console.WriteLine($"matmul peaks between segments (GFLOP/s, 1024²/2048²): {string.Join("  ", peaks.Skip(1).Select(p => $"{p.At1024 / 1e9:F0}/{p.At2048 / 1e9:F0}"))}; load avg {LoadAverage.Now()}");
Console.WriteLine();
Console.WriteLine($"student: qwen3, hidden {options.Hidden}, {options.Layers} layers, {options.HeadCount} heads × {TrainBenchOptions.HeadDim} " +
                  $"({options.KvHeadCount} kv), intermediate {options.IntermediateSize}, vocab {flops.HeadParams / options.Hidden}; " +
                  $"{parameters / 1e6:F2}M parameters ({embedding / 1e6:F2}M embedding = tied head, {flops.BodyParams / 1e6:F2}M non-embedding)");
Console.WriteLine($"data: seq_len {options.SeqLen}, {options.Batch} packed rows per step; timed {options.Steps} steps after {options.Warmup} warm-up: " +
                  $"{tokens} tokens ({(double)tokens / (tokens + plan.Padding):P1} of row slots, {(double)targets / tokens:P1} of them targets)");
Console.WriteLine($"FLOPs/token = 6·N + 12·L·H·Q·T = 6·{flops.BodyParams} + 12·{flops.Layers}·{flops.AttentionWidth}·{flops.SeqLen} " +
                  $"= {flops.PerToken / 1e6:F1} MFLOP (+ 6·{flops.HeadParams} per target token for the LM head)");
Console.WriteLine();
Console.WriteLine("| segment | steps | s/step | tokens/s | GFLOP/s | adjacent peak | MFU vs adjacent |");
Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|");
for (int i = 0; i < segments.Count; i++)
{
    var s = segments[i];
    double rate = flops.Step(s.Tokens, s.Targets) / s.Seconds, adjacent = Math.Max(peaks[i].Peak, peaks[i + 1].Peak);
    Console.WriteLine($"| {i + 1} | {s.From + 1}–{s.To} | {s.Seconds / (s.To - s.From):F2} | {s.Tokens / s.Seconds:F0} | {rate / 1e9:F1} | {adjacent / 1e9:F1} | {rate / adjacent:P1} |");
}
Console.WriteLine();
Console.WriteLine("| params | tokens/s | achieved GFLOP/s | peak GFLOP/s | MFU |");
Console.WriteLine("|---|---:|---:|---:|---:|");
Console.WriteLine($"| {parameters / 1e6:F2}M ({flops.BodyParams / 1e6:F2}M non-emb.) | {tokens / seconds:F0} | {achieved / 1e9:F1} | {peak / 1e9:F1} | **{mfu:P1}** |");
Console.WriteLine();
Console.WriteLine($"timed {seconds:F2} s ({seconds / options.Steps:F2} s/step, {targets / seconds:F0} target tokens/s); peak = best of {peaks.Count} measurements; " +
                  $"6·N only (no attention term): {flops.ParamsOnly(tokens, targets) / seconds / 1e9:F1} GFLOP/s = {flops.ParamsOnly(tokens, targets) / seconds / peak:P1}");
Console.WriteLine($"MFU {mfu:P1} of the best peak (target ≥ 40 %) — {(mfu >= 0.4 ? "OK" : "BELOW TARGET: run with --breakdown to see where the time goes")}");
return 0;

TrainingState Stop(TrainResult result, int step)
{
    var latest = Checkpoints.List(result.RunDir)[^1];
    if (result.Steps != step || latest.Step != step)
        throw new InvalidOperationException($"the trainer stopped at step {result.Steps} (checkpoint {latest.Step}), expected {step}");
    return Checkpoints.ReadState(latest.Path);
}
