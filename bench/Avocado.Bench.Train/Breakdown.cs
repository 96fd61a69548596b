using System.Diagnostics;
using Avocado.Training;
using Avocado.Training.Data;
using Avocado.Training.Losses;
using Avocado.Training.Optim;
using Avocado.Models.Architectures;
using Avocado.Models.Config;
using Avocado.Models.Layers;
using Avocado.Text.Chat;
using TorchSharp;
using static TorchSharp.torch;

namespace Avocado.Bench.Train;

/// <summary>
/// <c>--breakdown</c>: where a training step's time goes. First the Trainer's step taken apart (the same calls
/// <see cref="Trainer"/> and <c>DistillObjective</c> make, timed one by one): batch building, forward of the body,
/// head + CE, backward, gradient norm, AdamW. Then one decoder layer's pieces forward + backward at the real shapes,
/// and the alternatives the numbers point to (a fused attention kernel, the mask built once, a flat optimizer).
/// </summary>
public static class Breakdown
{
    /// <param name="bestPeak">Measures the matmul peak again and returns the best so far (tables use it when printed).</param>
    public static void Run(TrainBenchOptions o, Workload w, Func<double> bestPeak)
    {
        var config = w.Config("breakdown");
        var t = config.Training;
        manual_seed(Workload.Seed);
        var modelConfig = StudentFactory.FreshConfig(Workload.Family, config.Student.Shape, w.Tokenizer, ChatFormats.For(Workload.Family));
        using var student = StudentFactory.Create(modelConfig, Workload.Seed, config.Student.InitStd, CPU, ScalarType.Float32);
        student.train();
        var flops = FlopModel.For(student, o.SeqLen);
        using var optimizer = new AdamW(student.named_parameters().Select(p => (p.name, p.parameter)), t.Beta1, t.Beta2, t.Epsilon, t.WeightDecay);
        var packing = new Packing(w.Examples, Workload.Seed, o.SeqLen, true, o.Batch);
        int pad = w.Tokenizer.PadId ?? 0;

        string[] names = ["batch building (Packing + MicroBatch.Build)", "forward, body (embedding, layers, norm)", "forward, head + CE (+ .item())",
                          "backward (autograd, whole graph)", "gradient norm (AdamW.GradNorm)", "AdamW update (+ zero grad)"];
        var spent = new double[names.Length];
        double stepTotal = 0, kernelSeconds = 0, cpuSeconds = 0;
        long tokens = 0, targets = 0, faults = 0;
        for (int step = 0; step < o.Warmup + o.Steps; step++)
        {
            bool timed = step >= o.Warmup;
            var (kernel0, cpu0, faults0) = Os.Counters();
            var clock = Stopwatch.StartNew();
            double last = 0;
            void Mark(int piece)
            {
                double now = clock.Elapsed.TotalSeconds;
                if (timed) spent[piece] += now - last;
                last = now;
            }
            using var scope = NewDisposeScope();
            var (_, rows) = packing.MicroBatch(step);
            using var batch = MicroBatch.Build(rows, w.Examples, pad, CPU);
            Mark(0);
            var h = student.model.Forward(batch.Ids, batch.Positions, null, null, batch.Segments);
            Mark(1);
            var logits = student.Head(h.view(-1, h.shape[^1]).index_select(0, batch.TargetIndex));
            var ce = SequenceLoss.CrossEntropy(logits, batch.TargetIds);
            _ = ce.item<float>();
            Mark(2);
            ce.backward();
            Mark(3);
            double norm = optimizer.GradNorm();
            Mark(4);
            optimizer.Update(t.LearningRate, norm > t.ClipNorm ? t.ClipNorm / (norm + 1e-6) : 1.0);
            Mark(5);
            if (!timed) continue;
            stepTotal += clock.Elapsed.TotalSeconds;
            var (kernel1, cpu1, faults1) = Os.Counters();
            (kernelSeconds, cpuSeconds, faults) = (kernelSeconds + kernel1 - kernel0, cpuSeconds + cpu1 - cpu0, faults + faults1 - faults0);
            tokens += batch.Tokens;
            targets += batch.TargetCount;
        }
        double modelFlops = flops.Step(tokens, targets), peak = bestPeak();
        Console.WriteLine();
        Console.WriteLine($"## Trainer step, taken apart ({o.Steps} steps after {o.Warmup} warm-up; {tokens / (double)o.Steps:F0} tokens/step)");
        Console.WriteLine();
        Console.WriteLine("| piece | ms/step | share | model GFLOP/s in the piece |");
        Console.WriteLine("|---|---:|---:|---:|");
        for (int i = 0; i < names.Length; i++)
        {
            // Forward carries a third of the model FLOPs, backward two thirds (PaLM's 2 + 4 per parameter per token).
            string rate = i switch
            {
                1 => $"{(modelFlops - 6.0 * flops.HeadParams * targets) / 3 / spent[i] / 1e9:F1}",
                2 => $"{2.0 * flops.HeadParams * targets / spent[i] / 1e9:F1}",
                3 => $"{modelFlops * 2 / 3 / spent[i] / 1e9:F1}",
                _ => "",
            };
            Console.WriteLine($"| {names[i]} | {spent[i] / o.Steps * 1e3:F1} | {spent[i] / stepTotal:P1} | {rate} |");
        }
        Console.WriteLine($"| **step** | **{stepTotal / o.Steps * 1e3:F1}** | 100 % | {modelFlops / stepTotal / 1e9:F1} (MFU {modelFlops / stepTotal / peak:P1} of {peak / 1e9:F1}) |");
        Console.WriteLine();
        Console.WriteLine($"process CPU per step: {cpuSeconds / o.Steps * 1e3:F0} ms on {o.Threads} threads ({cpuSeconds / stepTotal / o.Threads:P0} of the thread-seconds), " +
                          $"of it {kernelSeconds / cpuSeconds:P1} in the kernel; {faults / o.Steps} minor page faults per step " +
                          $"({faults * 4096.0 / o.Steps / 1e6:F0} MB of fresh pages at 4 KiB)");

        Layer(o, student, modelConfig, packing.MicroBatch(o.Warmup).Rows, w, pad, bestPeak, stepTotal / o.Steps);
        Optimizer(student, optimizer, t);
    }

    /// <summary>One decoder layer forward + backward at the training shapes, piece by piece (best of 7 interleaved rounds).</summary>
    static void Layer(TrainBenchOptions o, Avocado.Models.CausalLM student, ModelConfig c, IReadOnlyList<PackedRow> rows,
        Workload w, int pad, Func<double> bestPeak, double stepSeconds)
    {
        using var scope = NewDisposeScope();
        using var batch = MicroBatch.Build(rows, w.Examples, pad, CPU);
        var layer = (Qwen3DecoderLayer)student.model.layers[0];
        var attention = layer.self_attn;
        long b = batch.Ids.shape[0], tt = batch.Ids.shape[1];
        int hidden = c.HiddenSize, heads = c.NumAttentionHeads, kv = c.NumKeyValueHeads, d = c.HeadDim, inter = c.IntermediateSize;
        var (cos, sin) = Rope.Create(c.RopeTheta, d, c.RopeScaling).Tables(batch.Positions, ScalarType.Float32);
        var inputs = new AttentionInputs(cos, sin, batch.Positions, 0, null, null, batch.Segments);
        var leaves = new List<Tensor>(student.parameters());
        Tensor Leaf(params long[] shape)
        {
            var leaf = randn(shape).requires_grad_(true);
            leaves.Add(leaf);
            return leaf;
        }
        Tensor Mask() => AttentionMask.Allowed(batch.Positions, batch.Positions, 0).logical_and(AttentionMask.SameSegment(batch.Segments));
        var mask = Mask();
        double scale = 1 / Math.Sqrt(d);
        double rowTokens = b * tt; // what the kernels compute over, padding included

        var x = Leaf(b, tt, hidden);
        var xo = Leaf(b, tt, heads * d);
        var xd = Leaf(b, tt, inter);
        var (ga, ua) = (Leaf(b, tt, inter), Leaf(b, tt, inter));
        var (qn, kn) = (Leaf(b, tt, heads, d), Leaf(b, tt, kv, d));
        var (qh, kh, vh) = (Leaf(b, heads, tt, d), Leaf(b, kv, tt, d), Leaf(b, kv, tt, d));
        // The fused kernel needs no fully masked query row (padding): let every query see itself, as a fix would.
        var sdpaMask = mask.logical_or(eye(tt, dtype: ScalarType.Bool).view(1, 1, tt, tt));
        // Grouped KV heads: the fused kernel gets them repeated (inside the timed pass, so it pays for the copies).
        Tensor Expand(Tensor kvHeads) => kv == heads ? kvHeads : kvHeads.repeat_interleave(heads / kv, 1);

        // Every piece runs once per round, rounds repeat, and each piece keeps its best time: a neighbour's burst then
        // hits one round of one piece, not a whole piece.
        var specs = new List<(string Name, double Flops, Func<double> Run)>();
        void Piece(string name, double flops, params Func<Tensor>[] forwards)
        {
            var passes = forwards.Select(f => new Pass(f, leaves)).ToArray();
            specs.Add((name, flops, () => passes.Sum(p => p.Run())));
        }
        long attnParams = (long)hidden * heads * d * 2 + (long)hidden * kv * d * 2, mlpParams = 3L * hidden * inter;
        Piece("q, k, v, o projections (GEMM)", 6.0 * attnParams * rowTokens,
            () => attention.q_proj.forward(x), () => attention.k_proj.forward(x), () => attention.v_proj.forward(x), () => attention.o_proj.forward(xo));
        Piece("MLP gate, up, down (GEMM)", 6.0 * mlpParams * rowTokens,
            () => layer.mlp.gate_proj.forward(x), () => layer.mlp.up_proj.forward(x), () => layer.mlp.down_proj.forward(xd));
        Piece("attention core (q·kᵀ, mask, softmax, p·v)", 12.0 * heads * d * tt * rowTokens,
            () => AttentionCore.Attend(qh, kh, vh, mask, scale, null, null));
        specs.Add(("attention mask build (per layer, no grad)", 0, () =>
        {
            using var s = NewDisposeScope();
            using var _ = no_grad();
            var sw = Stopwatch.StartNew();
            Mask();
            return sw.Elapsed.TotalSeconds;
        }));
        Piece("RMSNorm ×2 + q/k norm", 0,
            () => layer.input_layernorm.forward(x), () => layer.post_attention_layernorm.forward(x), () => attention.q_norm!.forward(qn), () => attention.k_norm!.forward(kn));
        Piece("RoPE on q, k", 0, () => Rope.Apply(qh, cos, sin), () => Rope.Apply(kh, cos, sin));
        Piece("SwiGLU silu(gate)·up", 0, () => nn.functional.silu(ga) * ua);
        int measured = specs.Count;
        Piece("whole layer", 0, () => layer.Forward(x, inputs));
        Piece("scaled_dot_product_attention", 0, () => nn.functional.scaled_dot_product_attention(qh, Expand(kh), Expand(vh), sdpaMask));
        var best = new double[specs.Count];
        Array.Fill(best, double.MaxValue);
        for (int round = 0; round < 8; round++)
            for (int i = 0; i < specs.Count; i++)
            {
                double seconds = specs[i].Run();
                if (round > 0) best[i] = Math.Min(best[i], seconds); // round 0 warms up
            }
        var pieces = specs.Take(measured).Select((p, i) => (p.Name, Seconds: best[i], p.Flops)).ToList();
        double whole = best[measured], sdpa = best[measured + 1], maskSeconds = pieces[3].Seconds, peak = bestPeak();
        double sum = pieces.Sum(p => p.Seconds);

        Console.WriteLine();
        Console.WriteLine($"## One decoder layer, forward + backward, B={b} T={tt} (×{c.NumHiddenLayers} layers per step; best of 7 interleaved rounds)");
        Console.WriteLine();
        Console.WriteLine("| piece | ms/layer | ×layers, share of step | GFLOP/s | % of peak |");
        Console.WriteLine("|---|---:|---:|---:|---:|");
        foreach (var (name, seconds, f) in pieces)
            Console.WriteLine($"| {name} | {seconds * 1e3:F1} | {seconds * c.NumHiddenLayers / stepSeconds:P1} | {(f > 0 ? $"{f / seconds / 1e9:F1}" : "")} | {(f > 0 ? $"{f / seconds / peak:P0}" : "")} |");
        Console.WriteLine($"| rest (residual adds, views, transposes, copies) | {(whole - sum) * 1e3:F1} | {(whole - sum) * c.NumHiddenLayers / stepSeconds:P1} | | |");
        Console.WriteLine($"| **whole layer** | **{whole * 1e3:F1}** | {whole * c.NumHiddenLayers / stepSeconds:P1} | {flopsPerLayer() / whole / 1e9:F1} | {flopsPerLayer() / whole / peak:P0} |");
        double gemm = pieces[0].Seconds + pieces[1].Seconds, gemmFlops = pieces[0].Flops + pieces[1].Flops;
        Console.WriteLine();
        Console.WriteLine($"GEMMs alone reach {gemmFlops / gemm / 1e9:F1} GFLOP/s ({gemmFlops / gemm / peak:P0} of peak) at these shapes; " +
                          $"they are {gemm / whole:P0} of the layer's time.");

        // Alternatives, same shapes, same mask semantics.
        double core = pieces[2].Seconds;
        Console.WriteLine($"alternative: scaled_dot_product_attention (LibTorch's fused CPU kernel, bool mask) {sdpa * 1e3:F1} ms vs the attention core " +
                          $"{core * 1e3:F1} ms → {(core - sdpa) * c.NumHiddenLayers * 1e3:F0} ms/step ({(core - sdpa) * c.NumHiddenLayers / stepSeconds:P1} of the step)");
        Console.WriteLine($"alternative: the mask built once per forward instead of per layer saves {maskSeconds * (c.NumHiddenLayers - 1) * 1e3:F1} ms/step " +
                          $"({maskSeconds * (c.NumHiddenLayers - 1) / stepSeconds:P2})");

        double flopsPerLayer() => pieces[0].Flops + pieces[1].Flops + pieces[2].Flops;
    }

    /// <summary>AdamW as the trainer runs it (per parameter) against the same arithmetic on one flat buffer.</summary>
    static void Optimizer(Avocado.Models.CausalLM student, AdamW optimizer, OptimizationSpec t)
    {
        long n = student.parameters().Sum(p => p.numel());
        int count = student.parameters().Count();
        void Grads()
        {
            using var _ = no_grad();
            foreach (var p in student.parameters()) p.grad = randn_like(p);
        }
        var perParameter = new List<double>();
        var norms = new List<double>();
        for (int i = 0; i < 6; i++)
        {
            Grads();
            var sw = Stopwatch.StartNew();
            optimizer.GradNorm();
            norms.Add(sw.Elapsed.TotalSeconds);
            sw.Restart();
            optimizer.Update(1e-4, 1.0);
            perParameter.Add(sw.Elapsed.TotalSeconds);
        }
        using var scope = NewDisposeScope();
        var (w, g, m, v) = (randn(n), randn(n), zeros(n), zeros(n));
        double beta1 = t.Beta1, beta2 = t.Beta2;
        var flat = new List<double>();
        for (int i = 0; i < 6; i++)
        {
            using var s = NewDisposeScope();
            var sw = Stopwatch.StartNew();
            _ = g.pow(2).sum().item<float>();
            m.mul_(beta1).add_(g, alpha: 1 - beta1);
            v.mul_(beta2).addcmul_(g, g, value: 1 - beta2);
            w.mul_(1 - 1e-5);
            var denom = (v / 0.5).sqrt_().add_(t.Epsilon);
            w.addcdiv_(m, denom, value: -1e-4);
            flat.Add(sw.Elapsed.TotalSeconds);
        }
        Console.WriteLine();
        Console.WriteLine($"## Optimizer ({n / 1e6:F2}M parameters in {count} tensors; best of 6)");
        Console.WriteLine();
        Console.WriteLine($"AdamW per parameter (as trained): grad norm {norms.Min() * 1e3:F1} ms + update {perParameter.Min() * 1e3:F1} ms; " +
                          $"the same arithmetic on one flat buffer: {flat.Min() * 1e3:F1} ms");
    }

    /// <summary>Forward + backward of one piece with a fixed random upstream gradient; the gradients of the inputs
    /// and the student's parameters (<paramref name="leaves"/>) are dropped afterwards, outside the timing.</summary>
    sealed class Pass(Func<Tensor> forward, IReadOnlyList<Tensor> leaves)
    {
        Tensor? _grad;

        public double Run()
        {
            using (var scope = NewDisposeScope())
            {
                if (_grad is null)
                {
                    using var _ = no_grad();
                    _grad = randn_like(forward()).DetachFromDisposeScope();
                }
                var sw = Stopwatch.StartNew();
                forward().backward([_grad]);
                double seconds = sw.Elapsed.TotalSeconds;
                foreach (var p in leaves) { p.grad?.Dispose(); p.grad = null; }
                return seconds;
            }
        }
    }
}

/// <summary>This process's CPU time (kernel, total) and minor page faults — fresh pages the kernel zero-fills.</summary>
static class Os
{
    public static (double Kernel, double Total, long MinorFaults) Counters()
    {
        var p = Process.GetCurrentProcess();
        long faults = 0;
        try
        {
            // /proc/self/stat: field 10 is minflt; the name in field 2 is parenthesised and may hold spaces.
            var stat = File.ReadAllText("/proc/self/stat");
            faults = long.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[7], System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (IOException) { }
        return (p.PrivilegedProcessorTime.TotalSeconds, p.TotalProcessorTime.TotalSeconds, faults);
    }
}
