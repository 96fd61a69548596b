using Avocado.Traces.Config;
using Avocado.Traces.Engine;
using Avocado.Data.Dataset;
using Avocado.Data.Curriculum;
using Avocado.Traces.Selection;
using Avocado.Training;
using Avocado.Training.Data;
using Avocado.Teachers;
using Avocado.Text.Chat;
using Avocado.Text.Tokenizers;

namespace Avocado.Cli.Quickstart;

/// <summary>A quickstart teacher: one per family, its own tokenizer (BPE merges learned from its own data), and the
/// skills it is trained to be good at.</summary>
/// <param name="StepsScale">Training steps relative to the preset's teacher steps.</param>
public sealed record QuickstartTeacher(string Name, string Family, IReadOnlyList<string> Skills, int Merges, string License, double StepsScale = 1);

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
    /// <summary>The quickstart's skills: one per teacher, so each teacher is a specialist and only the student covers
    /// all of them. They share one-digit-step arithmetic in three forms (English, Chinese, sequences), which is what
    /// lets one small student take something from every teacher. ("compare" is in the curriculum too, but a model of
    /// this size does not learn it within the quickstart's minutes.)</summary>
    public static IReadOnlyList<string> Skills { get; } = ["arith_en", "arith_zh", "sequence"];

    /// <summary>Three specialists. Merge counts differ so the three tokenizers split the same text differently.</summary>
    public static IReadOnlyList<QuickstartTeacher> Teachers { get; } =
    [
        new("qwen3-arith-en", "qwen3", ["arith_en"], 480, "Apache-2.0"),
        new("gemma3-arith-zh", "gemma3", ["arith_zh"], 360, "Gemma Terms of Use"),
        // At this size the gpt-oss architecture (no QK-norm, routed experts) learns one-digit-step arithmetic more
        // slowly than the other two (measured: CE 0.28 after 450 steps, Qwen3 0.02, Gemma 3 0.004): it trains twice as long.
        new("gpt-oss-sequence", "gpt-oss", ["sequence"], 640, "Apache-2.0", StepsScale: 2),
    ];

    public const string StudentName = "student";

    public QuickstartResult Run(CancellationToken cancel)
    {
        Directory.CreateDirectory(workDir);
        var skills = Skills;
        var teachers = Teachers;
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
        var key = StageCache.Key("curriculum-v3", preset.TrainPerSkill, preset.TracePromptsPerSkill, preset.HeldOutPerSkill, seed, string.Join(",", skills));
        if (StageCache.IsDone(dir, key)) return dir;
        Say($"[1/5] curriculum: {string.Join(", ", skills)} ({preset.TrainPerSkill} training, {preset.HeldOutPerSkill} held-out items per skill)");
        Directory.CreateDirectory(dir);
        var train = CurriculumGenerator.Generate("train", preset.TrainPerSkill, (int)seed, skills);
        var heldOut = CurriculumGenerator.Generate("heldout", preset.HeldOutPerSkill, (int)seed, skills);
        foreach (var t in teachers)
            CurriculumGenerator.WriteSolutionsJsonl(Path.Combine(dir, $"solutions-{t.Name}.jsonl"), train.Where(i => t.Skills.Contains(i.Skill)));
        // Each teacher is asked the prompts of the skills it is routed for (the specialist answers; asking everyone
        // everything would triple the generation cost for answers the verifier mostly throws away).
        var tracePrompts = train.GroupBy(i => i.Skill).SelectMany(g => g.Take(preset.TracePromptsPerSkill)).ToList();
        foreach (var t in teachers)
            CurriculumGenerator.WritePromptsJsonl(Path.Combine(dir, $"trace-prompts-{t.Name}.jsonl"), tracePrompts.Where(i => t.Skills.Contains(i.Skill)));
        // The tokenizers learn from every skill (as real tokenizers are trained on broad text, not on one model's
        // specialty), capped so that learning them stays a matter of seconds.
        CurriculumGenerator.WriteSolutionsJsonl(Path.Combine(dir, TokenizerCorpus), train.GroupBy(i => i.Skill).SelectMany(g => g.Take(TokenizerCorpusPerSkill)));
        CurriculumGenerator.WritePromptsJsonl(Path.Combine(dir, "heldout.jsonl"), heldOut);
        CurriculumGenerator.WriteSolutionsJsonl(Path.Combine(dir, "heldout-solutions.jsonl"), heldOut);
        StageCache.MarkDone(dir, key);
        return dir;
    }

    const string TokenizerCorpus = "tokenizer-corpus.jsonl";
    const int TokenizerCorpusPerSkill = 1500;

    /// <summary>Byte-level BPE learned on the curriculum as this family's chat format renders it (special tokens
    /// aside), so the text the model sees most — its own chat header included — costs the fewest tokens.</summary>
    string Tokenizer(QuickstartTeacher t, string curriculum)
    {
        var dir = Path.Combine(workDir, "tokenizers", t.Name);
        var corpusFile = Path.Combine(curriculum, TokenizerCorpus);
        var key = StageCache.Key("tokenizer-rendered", t.Family, t.Merges, "digits-apart", StageCache.FileHash(corpusFile));
        if (StageCache.IsDone(dir, key)) return dir;
        Say($"[2/5] tokenizer for {t.Name}: {t.Merges} byte-level BPE merges learned on the curriculum in the {t.Family} chat format");
        var format = ChatFormats.For(t.Family);
        var specials = SmallTokenizers.SpecialTokensFor(t.Family).ToArray();
        var corpus = DatasetWriter.ReadShard(corpusFile).SelectMany(r =>
        {
            var (prompt, assistant) = ExampleBuilder.Conversation(r, t.Family);
            return format.Render([.. prompt, assistant], ExampleBuilder.Options with { AddGenerationPrompt = false })
                .Split(specials, StringSplitOptions.RemoveEmptyEntries);
        });
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
                // gpt-oss experts are narrow (two active per token): per token it costs about what the dense models do.
                HiddenSize = preset.HiddenSize, IntermediateSize = family == "gpt-oss" ? preset.HiddenSize : preset.HiddenSize * 3, NumLayers = preset.Layers, NumHeads = 4, NumKvHeads = 2,
                HeadDim = preset.HiddenSize / 4, NumExperts = 4, ExpertsPerToken = 2, SlidingWindow = 128,
                // Rows are 256 tokens: a RoPE base of 10⁴ (not the families' long-context bases) gives a head of 32
                // dimensions more rotations that tell nearby positions apart; the Qwen teacher learns ~2× faster with it.
                RopeTheta = 10_000,
            },
        },
        Data = data,
        Training = new OptimizationSpec
        {
            Steps = steps, BatchSize = preset.BatchSize, SeqLen = seqLen, LearningRate = preset.LearningRate, WarmupSteps = Math.Max(1, steps / 20),
            CheckpointEvery = Math.Max(10, steps / 5), LogEvery = Math.Max(1, steps / 50), Device = "cpu", Precision = Precision.Fp32,
        },
    };

    /// <summary>The stage key of a training run: the whole config (shape, losses, schedule…) and the content of every
    /// input it names — tokenizer, data, teacher weights — so that changing any of them retrains, and nothing else does.</summary>
    static TrainConfig Keyed(TrainConfig config) => config with
    {
        ConfigHash = StageCache.Key(
            System.Text.Json.JsonSerializer.Serialize(config), // ConfigHash itself is not serialized
            StageCache.FileHash(Path.Combine(config.Student.Tokenizer, "tokenizer.json")),
            string.Join(",", config.Data.Select(StageCache.FileHashOrDir)),
            string.Join(",", config.Teachers.Select(t => StageCache.FileHash(Path.Combine(t.Checkpoint, "model.safetensors"))))),
    };

    string TrainTeacher(QuickstartTeacher t, string tokenizer, string solutions, CancellationToken cancel)
    {
        var config = Keyed(Config(Path.Combine("teachers", t.Name), t.Family, tokenizer, [solutions], (int)Math.Round(preset.TeacherSteps * t.StepsScale), 256));
        return Train($"[3/5] teacher {t.Name} ({t.Family}; skills {string.Join(", ", t.Skills)})", config, cancel);
    }

    string TrainStudent(string name, string tokenizer, IReadOnlyList<string> data, IReadOnlyList<TrainTeacherSpec> teachers, string heldOut, CancellationToken cancel)
    {
        var config = Keyed(Config(name, "qwen3", tokenizer, data, preset.StudentSteps, 256) with
        {
            EvalData = [heldOut],
            Teachers = teachers,
            Losses = new LossSpec { Sequence = 1, Logit = 1, Uld = 0.1, ExactMatch = 1, TeacherTopK = 16 },
            Weighting = new WeightingSpec { Method = WeightingMethod.Skill },
        });
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
        var config = new TraceConfig
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
        var result = TraceEngine.RunAsync(config, new TraceRunOptions { Resume = true, Progress = log }, cancel).GetAwaiter().GetResult();
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
