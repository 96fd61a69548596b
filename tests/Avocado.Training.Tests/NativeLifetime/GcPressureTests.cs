using System.Diagnostics;
using Avocado.Training;
using Avocado.Models;
using Avocado.Models.Generation;
using Avocado.Inference;

namespace Avocado.Training.Tests.NativeLifetime;

/// <summary>
/// Sampled generation and training steps of every family while another thread collects garbage and runs finalizers
/// without pause. A managed wrapper of a native handle (a TorchSharp Scalar or Tensor) that is not held across the
/// native call reading it is finalized — its native object freed — in the middle of that call; under this pressure
/// that happens within a second or two (libtorch then fails with "Expected false to be true … toDouble", "Unknown
/// scalar type", a wrong number, or the process dies). docs/TORCHSHARP.md has the rule and the check that enforces it.
/// </summary>
[Collection(nameof(GcPressureCollection))]
public class GcPressureTests
{
    static readonly TimeSpan Budget = TimeSpan.FromSeconds(6);

    [Theory]
    [InlineData("qwen3")]
    [InlineData("gemma3")]
    [InlineData("gpt-oss")]
    public void Sampled_generation_survives_constant_finalization(string family)
    {
        var dir = Path.Combine(TrainingFixture.TempDir("gc-gen-" + family), "model");
        ModelInit.WriteTiny(family, dir, seed: 3);
        using var model = ModelLoader.Load(dir);
        var sampling = new SamplingOptions { Temperature = 0.8, TopP = 0.9, TopK = 20, RepetitionPenalty = 1.1, Seed = 5 };
        // Long prompts: the window in which a freed scalar is read grows with the tensors it is applied to (masked_fill
        // clones its input before reading the fill value).
        long[] Prompt(int seed, int length) => [.. Enumerable.Range(0, length).Select(i => (long)((i * 37 + seed * 11) % 200 + 1))];
        EngineRequest[] requests = [.. new[] { Prompt(1, 240), Prompt(2, 180) }.Select((p, i) =>
            new EngineRequest { PromptIds = p, MaxNewTokens = 4, Sampling = sampling with { Seed = 5 + i }, TopLogprobs = 3 })];
        using var engine = new EngineScope(model);
        var expected = engine.Generate(requests);

        using var hammer = new GcHammer();
        var clock = Stopwatch.StartNew();
        int rounds = 0;
        for (; clock.Elapsed < Budget; rounds++)
        {
            var again = engine.Generate(requests);
            // Seeded: a scalar read after it was freed shows up as an error, a crash or different tokens.
            for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], again[i]);
        }
        Assert.True(hammer.Collections > rounds, $"{hammer.Collections} collections over {rounds} rounds: no pressure");
    }

    [Theory]
    [InlineData("qwen3")]
    [InlineData("gemma3")]
    [InlineData("gpt-oss")]
    public void Distillation_steps_survive_constant_finalization(string family)
    {
        var root = TrainingFixture.TempDir("gc-train-" + family);
        var tokenizer = TrainingFixture.Tokenizer(root, family);
        var train = TrainingFixture.WriteJsonl(root, "train", TrainingFixture.Records("add", 32, 1));
        var teacherConfig = TrainingFixture.Config(Path.Combine(root, "teacher"), tokenizer, [train], steps: 1, family: family);
        teacherConfig = teacherConfig with { Training = teacherConfig.Training with { SeqLen = 256 } };
        var teacher = TrainingFixture.Train(teacherConfig).StudentDir;
        // Sequence CE, full-logit KD (JSD) from a teacher with the student's tokenizer, AdamW with clipping.
        var config = TrainingFixture.Config(Path.Combine(root, "student"), tokenizer, [train], steps: 100_000, family: family,
            teachers: [new TrainTeacherSpec { Name = "t", Checkpoint = teacher, Tokenizer = teacher, ChatFormat = family }],
            losses: new LossSpec { Sequence = 1, Logit = 1, LogitKind = LogitLossKind.Jsd });
        config = config with { Training = config.Training with { BatchSize = 2, SeqLen = 256, LogEvery = 10, ClipNorm = 0.5 } };
        using var trainer = new Trainer(config, null);

        using var hammer = new GcHammer(Budget);
        var result = trainer.Run(resume: false, hammer.BudgetSpent);
        Assert.True(result.Steps > 2, $"{result.Steps} steps");
        Assert.True(result.LastMetrics.Values.All(double.IsFinite), string.Join(", ", result.LastMetrics));
        Assert.True(hammer.Collections > result.Steps, $"{hammer.Collections} collections over {result.Steps} steps: no pressure");
    }
}

[CollectionDefinition(nameof(GcPressureCollection), DisableParallelization = true)]
public sealed class GcPressureCollection;

/// <summary>Young-generation collections, each followed by the finalizers it queued, thousands of times a second on a
/// background thread (gen-0 collections are cheap and catch short-lived wrappers).</summary>
public sealed class GcHammer : IDisposable
{
    readonly CancellationTokenSource _stop = new();
    readonly CancellationTokenSource _budgetSpent = new();
    readonly Thread _thread;
    readonly int _torchThreads = TorchSharp.torch.get_num_threads();
    int _collections;

    /// <param name="budget">When <see cref="BudgetSpent"/> is cancelled — by this thread, not by a timer: a timer's
    /// callback waits for a thread-pool thread, and under this pressure it waited for minutes (a CI run trained on).</param>
    public GcHammer(TimeSpan? budget = null)
    {
        long deadline = budget is { } b ? Stopwatch.GetTimestamp() + (long)(b.TotalSeconds * Stopwatch.Frequency) : long.MaxValue;
        // libtorch on one thread meanwhile: the spinning hammer plus two OpenMP threads that spin at their barriers
        // oversubscribe 2 cores, and a step then took minutes instead of milliseconds (seen once in CI: 10 min). The race
        // under test is between the finalizer thread and the calling thread's native call, which one thread keeps.
        TorchSharp.torch.set_num_threads(1);
        _thread = new Thread(() =>
        {
            while (!_stop.IsCancellationRequested)
            {
                // A pause of ~0.1 ms lets the code under test run between collections: back-to-back collections
                // suspend it so often that it reaches far fewer native calls (measured: fewer failures, not more).
                long until = Stopwatch.GetTimestamp() + Stopwatch.Frequency / 10_000;
                while (Stopwatch.GetTimestamp() < until) Thread.SpinWait(20);
                GC.Collect(0, GCCollectionMode.Forced, blocking: true);
                GC.WaitForPendingFinalizers();
                Interlocked.Increment(ref _collections);
                if (Stopwatch.GetTimestamp() >= deadline && !_budgetSpent.IsCancellationRequested) _budgetSpent.Cancel();
            }
        }) { IsBackground = true, Name = "gc-hammer" };
        _thread.Start();
    }

    public int Collections => Volatile.Read(ref _collections);

    public CancellationToken BudgetSpent => _budgetSpent.Token;

    public void Dispose()
    {
        _stop.Cancel();
        _thread.Join();
        _budgetSpent.Dispose();
        TorchSharp.torch.set_num_threads(_torchThreads);
    }
}

/// <summary>The inference engine driven synchronously: a group of requests in, their token ids out.</summary>
sealed class EngineScope(IGenerationModel model) : IDisposable
{
    readonly InferenceEngine engine = new(model, new EngineOptions { MaxBatch = 2 });

    public long[][] Generate(EngineRequest[] requests) =>
        [.. Task.WhenAll(engine.CompleteTogether(requests)).GetAwaiter().GetResult().Select(s => s.Ids)];

    public void Dispose() => engine.DisposeAsync().AsTask().GetAwaiter().GetResult();
}
