using Avocado.Distill.Config;
using Avocado.Distill.Engine;
using Avocado.Distill.Output;
using Avocado.Distill.Quickstart.Curriculum;
using Avocado.Distill.Selection;
using Avocado.Distill.Training;
using Avocado.Distill.Training.Data;
using Avocado.Teachers;
using Avocado.Text.Tokenizers;

namespace Avocado.Distill.Quickstart;

/// <summary>A quickstart teacher: one per family, its own tokenizer (BPE merges learned from its own data), and the
/// skills it is trained to be good at.</summary>
public sealed record QuickstartTeacher(string Name, string Family, IReadOnlyList<string> Skills, int Merges, string License);

public sealed record QuickstartResult(string StudentDir, IReadOnlyList<(string Name, string Dir)> Models, string HeldOutBench, string WorkDir);

/// <summary>
/// The main job end to end on embedded defaults: a generated curriculum → three specialist teachers of three families
/// (each trained here, each with its own tokenizer) → traces from all of them through the data engine (verified,
/// selected) → one student distilled from all three (sequence + logit + cross-tokenizer KD with per-skill routing)
/// [→ single-teacher students with the same budget]. Every stage is cached under the work directory and resumes.
/// Evaluation and serving are the caller's (they need the eval harness and the gateway).
/// </summary>
public sealed class QuickstartPipeline(QuickstartPreset preset, string workDir, TextWriter log, long seed = 1)
{
    public static IReadOnlyList<QuickstartTeacher> Teachers(IReadOnlyList<string> skills)
    {
        // Three specialists; a skill the curriculum has beyond the first three goes to the gpt-oss teacher.
        var rest = skills.Where(s => s is not ("arith_en" or "arith_zh")).ToList();
        return
        [
            new("qwen3-arith-en", "qwen3", ["arith_en"], 96, "Apache-2.0"),
            new("gemma3-arith-zh", "gemma3", ["arith_zh"], 48, "Gemma Terms of Use"),
            new("gpt-oss-logic", "gpt-oss", rest, 160, "Apache-2.0"),
        ];
    }

    public const string StudentName = "student";

    public QuickstartResult Run(CancellationToken cancel)
    {
        Directory.CreateDirectory(workDir);
        var skills = CurriculumGenerator.Skills;
        var teachers = Teachers(skills);
        var curriculum = Curriculum(skills, teachers);
        var tokenizers = teachers.ToDictionary(t => t.Name, t => Tokenizer(t, curriculum));
        var teacherDirs = new Dictionary<string, string>();
        foreach (var t in teachers)
        {
            cancel.ThrowIfCancellationRequested();
            teacherDirs[t.Name] = TrainTeacher(t, tokenizers[t.Name], Path.Combine(curriculum, $"solutions-{t.Name}.jsonl"), cancel);
        }
        var traces = teachers.ToDictionary(t => t.Name, t => Traces(t, teacherDirs[t.Name], Path.Combine(curriculum, $"trace-prompts-{t.Name}.jsonl"), cancel));
        var heldOutRecords = Path.Combine(curriculum, "heldout-solutions.jsonl");
        // The student shares the Qwen teacher's tokenizer (full-logit KD from it) and differs from the other two
        // (cross-tokenizer KD): every kind of distillation is exercised.
        var studentTokenizer = tokenizers[teachers[0].Name];
        var specs = teachers.Select(t => new TrainTeacherSpec
        {
            Name = t.Name, Checkpoint = teacherDirs[t.Name], Tokenizer = teacherDirs[t.Name], ChatFormat = t.Family, Skills = t.Skills, License = t.License,
        }).ToList();
        var models = teachers.Select(t => (t.Name, teacherDirs[t.Name])).ToList();
        var teaching = teachers.Where(t => DatasetManifest.Read(Path.Combine(traces[t.Name], DatasetManifest.FileName)).Records > 0).ToList();
        if (teaching.Count == 0) throw new InvalidDataException("no teacher produced a verified trace; train the teachers longer (a larger preset)");
        models.Add((StudentName, TrainStudent(StudentName, studentTokenizer, [.. teaching.Select(t => traces[t.Name])], specs, heldOutRecords, cancel)));
        if (preset.Baselines)
            foreach (var t in teaching)
                models.Add(($"student-from-{t.Name}", TrainStudent($"student-from-{t.Name}", studentTokenizer, [traces[t.Name]], [specs.Single(s => s.Name == t.Name)], heldOutRecords, cancel)));
        return new QuickstartResult(models.Single(m => m.Item1 == StudentName).Item2, models, Path.Combine(curriculum, "heldout.jsonl"), workDir);
    }

    string Curriculum(IReadOnlyList<string> skills, IReadOnlyList<QuickstartTeacher> teachers)
    {
        var dir = Path.Combine(workDir, "curriculum");
        var key = StageCache.Key("curriculum-routed", preset.TrainPerSkill, preset.TracePromptsPerSkill, preset.HeldOutPerSkill, seed, string.Join(",", skills));
        if (StageCache.IsDone(dir, key)) return dir;
        Say($"[1/5] curriculum: {string.Join(", ", skills)} ({preset.TrainPerSkill} training, {preset.HeldOutPerSkill} held-out items per skill)");
        Directory.CreateDirectory(dir);
        var train = CurriculumGenerator.Generate("train", preset.TrainPerSkill, (int)seed);
        var heldOut = CurriculumGenerator.Generate("heldout", preset.HeldOutPerSkill, (int)seed);
        foreach (var t in teachers)
            CurriculumGenerator.WriteSolutionsJsonl(Path.Combine(dir, $"solutions-{t.Name}.jsonl"), train.Where(i => t.Skills.Contains(i.Skill)));
        // Each teacher is asked the prompts of the skills it is routed for (the specialist answers; asking everyone
        // everything would triple the generation cost for answers the verifier mostly throws away).
        var tracePrompts = train.GroupBy(i => i.Skill).SelectMany(g => g.Take(preset.TracePromptsPerSkill)).ToList();
        foreach (var t in teachers)
            CurriculumGenerator.WritePromptsJsonl(Path.Combine(dir, $"trace-prompts-{t.Name}.jsonl"), tracePrompts.Where(i => t.Skills.Contains(i.Skill)));
        CurriculumGenerator.WritePromptsJsonl(Path.Combine(dir, "heldout.jsonl"), heldOut);
        CurriculumGenerator.WriteSolutionsJsonl(Path.Combine(dir, "heldout-solutions.jsonl"), heldOut);
        StageCache.MarkDone(dir, key);
        return dir;
    }

    string Tokenizer(QuickstartTeacher t, string curriculum)
    {
        var dir = Path.Combine(workDir, "tokenizers", t.Name);
        var solutions = Path.Combine(curriculum, $"solutions-{t.Name}.jsonl");
        var key = StageCache.Key("tokenizer", t.Family, t.Merges, "digits-apart", StageCache.FileHash(solutions));
        if (StageCache.IsDone(dir, key)) return dir;
        var corpus = DatasetWriter.ReadShard(solutions).SelectMany(r => r.Messages.Select(m => m.Content ?? "").Append(r.Reasoning ?? ""));
        SmallTokenizers.WriteByteLevel(dir, t.Family, SmallTokenizers.LearnMerges(corpus, t.Merges, digitsApart: true));
        StageCache.MarkDone(dir, key);
        return dir;
    }

    TrainConfig Config(string name, string family, string tokenizer, IReadOnlyList<string> data, int steps, int seqLen) => new()
    {
        RunDir = Path.Combine(workDir, name, "run"), OutputDir = Path.Combine(workDir, name, "model"), Seed = seed,
        Student = new StudentSpec
        {
            Family = family, Tokenizer = tokenizer, ChatFormat = family,
            Shape = new StudentShape
            {
                HiddenSize = preset.HiddenSize, IntermediateSize = preset.HiddenSize * 3, NumLayers = preset.Layers, NumHeads = 4, NumKvHeads = 2,
                HeadDim = preset.HiddenSize / 4, NumExperts = 4, ExpertsPerToken = 2, SlidingWindow = 128,
            },
        },
        Data = data,
        Training = new OptimizationSpec
        {
            Steps = steps, BatchSize = preset.BatchSize, SeqLen = seqLen, LearningRate = preset.LearningRate, WarmupSteps = Math.Max(1, steps / 20),
            CheckpointEvery = Math.Max(10, steps / 5), LogEvery = Math.Max(1, steps / 50), Device = "cpu", Precision = Precision.Fp32,
        },
        ConfigHash = StageCache.Key(name, family, tokenizer, string.Join(",", data.Select(StageCache.FileHashOrDir)), steps, seqLen, preset.Name),
    };

    string TrainTeacher(QuickstartTeacher t, string tokenizer, string solutions, CancellationToken cancel)
    {
        // gpt-oss's Harmony system header alone is ~200 bytes: its rows must be longer.
        var config = Config(Path.Combine("teachers", t.Name), t.Family, tokenizer, [solutions], preset.TeacherSteps, t.Family == "gpt-oss" ? 384 : 256);
        return Train($"[3/5] teacher {t.Name} ({t.Family}; skills {string.Join(", ", t.Skills)})", config, cancel);
    }

    string TrainStudent(string name, string tokenizer, IReadOnlyList<string> data, IReadOnlyList<TrainTeacherSpec> teachers, string heldOut, CancellationToken cancel)
    {
        var config = Config(name, "qwen3", tokenizer, data, preset.StudentSteps, 256) with
        {
            EvalData = [heldOut],
            Teachers = teachers,
            Losses = new LossSpec { Sequence = 1, Logit = 1, Uld = 0.1, ExactMatch = 1, TeacherTopK = 16 },
            Weighting = new WeightingSpec { Method = WeightingMethod.Skill },
        };
        config = config with { ConfigHash = StageCache.Key(config.ConfigHash, string.Join(",", teachers.Select(t => t.Name))) };
        return Train($"[5/5] {name} from {string.Join(" + ", teachers.Select(t => t.Name))}", config, cancel);
    }

    string Train(string title, TrainConfig config, CancellationToken cancel)
    {
        var stageDir = Path.GetDirectoryName(config.RunDir)!;
        if (StageCache.IsDone(stageDir, config.ConfigHash)) { Say($"{title}: cached"); return config.OutputDir; }
        Say(title);
        var existing = Training.Run.Checkpoints.List(config.RunDir);
        if (existing.Count > 0 && Training.Run.Checkpoints.ReadState(existing[^1].Path).ConfigHash != config.ConfigHash)
            Directory.Delete(config.RunDir, recursive: true); // made from other inputs: start over
        using var trainer = new Trainer(config, new PrefixWriter(log, "    "));
        var result = trainer.Run(resume: Training.Run.Checkpoints.List(config.RunDir).Count > 0, cancel);
        if (!result.Completed) throw new OperationCanceledException(cancel);
        StageCache.MarkDone(stageDir, config.ConfigHash);
        return config.OutputDir;
    }

    string Traces(QuickstartTeacher t, string teacherDir, string prompts, CancellationToken cancel)
    {
        var dir = Path.Combine(workDir, "traces", t.Name);
        var key = StageCache.Key("traces", StageCache.FileHash(prompts), StageCache.FileHash(Path.Combine(teacherDir, "model.safetensors")), preset.MaxNewTokens);
        if (StageCache.IsDone(dir, key)) return dir;
        Say($"[4/5] traces from {t.Name} on its skills ({string.Join(", ", t.Skills)}); verified answers are kept");
        var config = new DistillConfig
        {
            Teachers =
            [
                new TeacherConfig
                {
                    Name = t.Name, Family = t.Family, Provider = TeacherProvider.InProcess, Checkpoint = teacherDir, License = t.License,
                    PreferredSkills = t.Skills, Sampling = new TeacherSampling { Temperature = 0, MaxTokens = preset.MaxNewTokens },
                    MaxBatch = 16, CurrentDate = new DateOnly(2025, 1, 1),
                },
            ],
            PromptSets = [new PromptSetConfig { Name = "curriculum", Files = [prompts] }],
            Selection = SelectionPolicyKind.AllVerified, OutputDir = dir, Concurrency = 32, ShardFormat = ShardFormat.Jsonl, ConfigHash = key,
        };
        var result = DistillEngine.RunAsync(config, new DistillRunOptions { Resume = true, Progress = log }, cancel).GetAwaiter().GetResult();
        log.Write(result.Table);
        if (result.Manifest.Records == 0) Say($"    warning: {t.Name} answered none of its prompts correctly; it will not teach the student");
        StageCache.MarkDone(dir, key);
        return dir;
    }

    void Say(string message) => log.WriteLine(message);
}

/// <summary>Indents a stage's own output under its title.</summary>
sealed class PrefixWriter(TextWriter inner, string prefix) : TextWriter
{
    public override System.Text.Encoding Encoding => inner.Encoding;
    public override void WriteLine(string? value) => inner.WriteLine(prefix + value);
    public override void Write(string? value) => inner.Write(value);
    public override void Write(char value) => inner.Write(value);
}
