using System.Text;
using System.Text.Json;
using Avocado.Data.Dataset;
using Avocado.Training;
using Avocado.Training.Data;
using Avocado.Training.TeacherSignals;
using Avocado.Text.Chat;
using Avocado.Text.Tokenizers;

namespace Avocado.Bench.Train;

/// <summary>
/// What the benchmark trains on: a byte-level qwen3 tokenizer (256 bytes + specials, so the LM head stays small and the
/// transformer body carries the parameters), synthetic chat records of varied length (a short user turn, a long
/// assistant turn with reasoning), packed into rows of seq_len tokens, and a sequence-level-CE-only config.
/// </summary>
public sealed class Workload : IDisposable
{
    public const long Seed = 7;
    public const string Family = "qwen3";

    public string Root { get; }
    public string TokenizerDir { get; }
    public string DataFile { get; }
    public TrainBenchOptions Options { get; }
    public IReadOnlyList<TrainingExample> Examples { get; }
    public ITokenizer Tokenizer { get; }

    public Workload(TrainBenchOptions options)
    {
        Options = options;
        Root = Path.Combine(Path.GetTempPath(), "avocado-bench-train-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(Root);
        TokenizerDir = Path.Combine(Root, "tokenizer");
        SmallTokenizers.WriteByteLevel(TokenizerDir, Family);
        // Enough examples that the timed steps never reach the end of an epoch (whose last batch may be short).
        int rowsNeeded = options.Batch * (options.Warmup + options.Steps + 2);
        int count = (int)(1.3 * rowsNeeded * options.SeqLen / MeanLength(options.SeqLen)) + 64;
        DataFile = Path.Combine(Root, "train.jsonl");
        File.WriteAllLines(DataFile, Records(count, options.SeqLen).Select(r => JsonSerializer.Serialize(r, DatasetRecord.Json)));
        // The examples exactly as the Trainer builds them, to count tokens, targets and padding per micro-batch.
        Tokenizer = TokenizerRef.Load(TokenizerDir).Tokenizer;
        var builder = new ExampleBuilder(Tokenizer, ChatFormats.For(Family));
        Examples = TrainingData.Read([DataFile]).Records.Select((r, i) => builder.Build(r, i)).ToList();
    }

    /// <summary>Examples are drawn between seq_len/8 and seq_len/3 tokens, so greedy packing puts 3–8 in a row.</summary>
    static double MeanLength(int seqLen) => (seqLen / 8.0 + seqLen / 3.0) / 2;

    static readonly string[] Words =
    [
        "the", "model", "reads", "each", "token", "and", "a", "small", "number", "of", "steps", "gives", "an", "answer",
        "first", "we", "check", "that", "sum", "is", "even", "so", "half", "of", "it", "must", "be", "whole", "then",
        "multiply", "by", "three", "which", "leaves", "remainder", "zero", "because", "every", "term", "divides",
        "train", "student", "teacher", "packed", "rows", "attention", "layer", "weight", "update", "loss", "gradient",
    ];

    static string Text(Random random, int bytes)
    {
        var sb = new StringBuilder();
        while (sb.Length < bytes)
        {
            if (sb.Length > 0) sb.Append(random.Next(12) == 0 ? ". " : " ");
            sb.Append(random.Next(9) == 0 ? random.Next(1000).ToString(System.Globalization.CultureInfo.InvariantCulture) : Words[random.Next(Words.Length)]);
        }
        return sb.ToString(0, bytes).TrimEnd();
    }

    /// <summary>Deterministic records; total rendered length uniform in [seq_len/8, seq_len/3] tokens (byte-level: one
    /// token per byte, plus about 30 for the chat template), 85 % of it the assistant turn.</summary>
    static IEnumerable<DatasetRecord> Records(int count, int seqLen)
    {
        var random = new Random((int)Seed);
        for (int i = 0; i < count; i++)
        {
            int total = random.Next(seqLen / 8, seqLen / 3 + 1);
            int content = Math.Max(24, total - 30);
            int prompt = Math.Max(8, content * 15 / 100), reasoning = Math.Max(8, (content - prompt) * 2 / 3), answer = Math.Max(4, content - prompt - reasoning);
            var question = Text(random, prompt);
            var (why, reply) = (Text(random, reasoning), Text(random, answer));
            yield return new DatasetRecord
            {
                Id = $"bench-{i}/synthetic/0", PromptId = $"bench-{i}", PromptSource = "synthetic", Skill = "bench", Language = "en",
                Messages = [new RecordMessage { Role = "user", Content = question }, new RecordMessage { Role = "assistant", Content = reply }],
                Reasoning = why, Answer = reply, Teacher = "synthetic", Family = Family, ModelRevision = "r1", License = "Apache-2.0",
            };
        }
    }

    /// <summary>Sequence-level CE only (no teachers, no stored top-k), fp32 on the CPU, checkpoints only where the
    /// benchmark stops, metrics every step (so TrainResult carries the cumulative token count).</summary>
    public TrainConfig Config(string runName) => new()
    {
        RunDir = Path.Combine(Root, runName), OutputDir = Path.Combine(Root, runName, "student"), Seed = Seed,
        Student = new StudentSpec
        {
            Family = Family, Tokenizer = TokenizerDir, ChatFormat = Family,
            Shape = new StudentShape
            {
                HiddenSize = Options.Hidden, IntermediateSize = Options.IntermediateSize, NumLayers = Options.Layers,
                NumHeads = Options.HeadCount, NumKvHeads = Options.KvHeadCount, HeadDim = TrainBenchOptions.HeadDim,
                MaxPositionEmbeddings = Math.Max(512, Options.SeqLen),
            },
        },
        Data = [DataFile],
        Losses = new LossSpec { Sequence = 1, Logit = 0, StoredTopK = 0, Uld = 0, ExactMatch = 0 },
        Training = new OptimizationSpec
        {
            Steps = Options.Warmup + Options.Steps, BatchSize = Options.Batch, SeqLen = Options.SeqLen, Packing = true,
            LearningRate = 1e-3, WarmupSteps = 2, CheckpointEvery = 1_000_000, KeepCheckpoints = 2, LogEvery = 1,
            Device = "cpu", Precision = Precision.Fp32,
        },
        ConfigHash = "bench",
    };

    /// <summary>Tokens (non-padding), target tokens (assistant tokens whose logits are computed) and padded slots
    /// (rows × widest row − tokens) of micro-batches [from, to), from the same packing plan the Trainer uses.</summary>
    public (long Tokens, long Targets, long Padding) Count(long from, long to)
    {
        var packing = new Packing(Examples, Seed, Options.SeqLen, true, Options.Batch);
        long tokens = 0, targets = 0, padding = 0;
        for (long m = from; m < to; m++)
        {
            var (_, rows) = packing.MicroBatch(m);
            int width = rows.Max(r => r.Used);
            foreach (var row in rows)
                foreach (var p in row.Items)
                {
                    tokens += p.Length;
                    targets += Math.Max(0, p.Length - Examples[p.Example].FirstTarget);
                }
            padding += (long)rows.Count * width - rows.Sum(r => r.Used);
        }
        return (tokens, targets, padding);
    }

    public void Dispose()
    {
        try { Directory.Delete(Root, recursive: true); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}
