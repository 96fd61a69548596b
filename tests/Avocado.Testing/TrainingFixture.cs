using System.Text.Json;
using Avocado.Data.Dataset;
using Avocado.Training;
using Avocado.Text.Tokenizers;

namespace Avocado.Testing;

/// <summary>Small, fast training setups: a byte-level tokenizer (263 ids), arithmetic records of two skills, tiny models.</summary>
public static class TrainingFixture
{
    public static string TempDir(string name)
    {
        var dir = Path.Combine(Path.GetTempPath(), "avocado-train-tests", name + "-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        return dir;
    }

    public static string Tokenizer(string root, string family = "qwen3", IReadOnlyList<(string, string)>? merges = null)
    {
        var dir = Path.Combine(root, "tokenizer-" + family + (merges is null ? "" : "-merged"));
        SmallTokenizers.WriteByteLevel(dir, family, merges);
        return dir;
    }

    /// <summary>"a+b" (skill add) or "a-b" (skill sub) with a worked step and the answer; deterministic in seed.</summary>
    public static List<DatasetRecord> Records(string skill, int count, int seed, string teacher = "teacher-a")
    {
        var random = new Random(seed);
        var records = new List<DatasetRecord>();
        for (int i = 0; i < count; i++)
        {
            int a = random.Next(10, 50), b = random.Next(1, 10);
            var (question, result) = skill == "add" ? ($"{a}+{b}", a + b) : ($"{a}-{b}", a - b);
            records.Add(new DatasetRecord
            {
                Id = $"{skill}-{seed}-{i}/{teacher}/0", PromptId = $"{skill}-{seed}-{i}", PromptSource = "synthetic", Skill = skill, Language = "en",
                Messages = [new RecordMessage { Role = "user", Content = $"{question}=?" }, new RecordMessage { Role = "assistant", Content = $"{result}" }],
                Reasoning = $"{question}={result}", Answer = $"{result}", Teacher = teacher, Family = "qwen3", ModelRevision = "r1", License = "Apache-2.0",
            });
        }
        return records;
    }

    public static string WriteJsonl(string root, string name, IEnumerable<DatasetRecord> records)
    {
        var path = Path.Combine(root, name + ".jsonl");
        File.WriteAllLines(path, records.Select(r => JsonSerializer.Serialize(r, DatasetRecord.Json)));
        return path;
    }

    public static TrainConfig Config(string runDir, string tokenizer, IReadOnlyList<string> data, int steps, string family = "qwen3",
        IReadOnlyList<string>? eval = null, IReadOnlyList<TrainTeacherSpec>? teachers = null, LossSpec? losses = null, WeightingSpec? weighting = null) => new()
    {
        RunDir = runDir, OutputDir = Path.Combine(runDir, "student"), Seed = 7,
        Student = new StudentSpec
        {
            Family = family, Tokenizer = tokenizer, ChatFormat = family,
            Shape = new StudentShape { HiddenSize = 64, IntermediateSize = 128, NumLayers = 2, NumHeads = 4, NumKvHeads = 2, HeadDim = 16 },
        },
        Data = data, EvalData = eval ?? [], Teachers = teachers ?? [],
        Losses = losses ?? new LossSpec(), Weighting = weighting ?? new WeightingSpec(),
        Training = new OptimizationSpec
        {
            Steps = steps, BatchSize = 4, SeqLen = 128, LearningRate = 3e-3, WarmupSteps = 5, CheckpointEvery = 1000, LogEvery = 5,
            Device = "cpu", Precision = Precision.Fp32,
        },
        ConfigHash = "test",
    };

    /// <summary>Trains to completion and returns the student directory.</summary>
    public static (string StudentDir, TrainResult Result) Train(TrainConfig config)
    {
        using var trainer = new Trainer(config, null);
        var result = trainer.Run(resume: false);
        return (result.StudentDir!, result);
    }
}
