using Avocado.Common.Config;
using Avocado.Models;
using Avocado.Text.Chat;
using Avocado.Text.Tokenizers;

namespace Avocado.Training;

/// <summary>A training config as written (JSON or YAML, snake_case; see <see cref="TrainConfig"/> and docs/TRAINING.md
/// for what each field means). <see cref="Validate"/> checks every field, naming the path of the first problem, and
/// resolves paths against the config's directory.</summary>
public sealed record TrainConfigFile
{
    public string? RunDir { get; init; }
    public string? OutputDir { get; init; }
    public long? Seed { get; init; }
    public StudentFile? Student { get; init; }
    public List<string?>? Data { get; init; }
    public List<string?>? EvalData { get; init; }
    public List<TrainTeacherFile?>? Teachers { get; init; }
    public LossesFile? Losses { get; init; }
    public WeightingFile? TeacherWeighting { get; init; }
    public TrainingFile? Training { get; init; }

    public TrainConfig Validate(string baseDir)
    {
        var runDir = Check.ResolvePath(baseDir, Check.RequiredText(RunDir, "run_dir", "the directory for checkpoints, metrics and plots"));
        var student = Check.Required(Student, "student", "give at least family and tokenizer").Validate("student", baseDir);
        var data = Paths(Check.Required(Data, "data"), "data", baseDir);
        if (data.Count == 0) throw Check.Error("data", "list at least one dataset directory or shard file");
        var teachers = Check.Items(Teachers, "teachers").Select(t => t.Item.Validate(t.Path, baseDir)).ToList();
        for (int i = 0; i < teachers.Count; i++)
            if (teachers.FindIndex(t => t.Name == teachers[i].Name) != i)
                throw Check.Error($"teachers[{i}].name", $"'{teachers[i].Name}' is used by another teacher; names must be unique");
        var config = new TrainConfig
        {
            RunDir = runDir,
            OutputDir = Check.Text(OutputDir, "output_dir") is { } output ? Check.ResolvePath(baseDir, output) : Path.Combine(runDir, "student"),
            Seed = Seed ?? 0,
            Student = student,
            Data = data,
            EvalData = Paths(EvalData, "eval_data", baseDir),
            Teachers = teachers,
            Losses = Losses?.Validate("losses") ?? new LossSpec(),
            Weighting = TeacherWeighting?.Validate("teacher_weighting") ?? new WeightingSpec(),
            Training = Training?.Validate("training") ?? new OptimizationSpec(),
        };
        if (config.Weighting.Method == WeightingMethod.Skill && teachers.All(t => t.Skills.Count == 0))
            throw Check.Error("teacher_weighting.method", "'skill' routing needs teachers[*].skills");
        return config;
    }

    static List<string> Paths(List<string?>? list, string path, string baseDir) =>
        [.. Check.Strings(list, path, "must be a path").Select((p, i) =>
        {
            var full = Check.ResolvePath(baseDir, p);
            return File.Exists(full) || Directory.Exists(full) ? full : throw Check.Error($"{path}[{i}]", $"'{full}' does not exist");
        })];

    internal static string ExistingDir(string dir, string path) => Directory.Exists(dir) ? dir : throw Check.Error(path, $"directory '{dir}' does not exist");

    internal static string ChatFormat(string? format, string family, string path)
    {
        var f = Check.Text(format, path) ?? family;
        return ChatFormats.Families.Contains(f) ? f : throw Check.Error(path, $"'{f}' is not one of {string.Join(", ", ChatFormats.Families)}");
    }

    /// <summary>A built-in tokenizer name stays a name; anything else is a directory that must hold tokenizer.json.</summary>
    internal static string? Tokenizer(string? value, string path, string baseDir, bool required)
    {
        const string hint = "a built-in tokenizer (qwen3, gemma3, o200k_harmony) or a directory with tokenizer.json";
        var v = required ? Check.RequiredText(value, path, hint) : Check.Text(value, path);
        if (v is null || BuiltInTokenizers.Names.Contains(v)) return v;
        var dir = Check.ResolvePath(baseDir, v);
        return File.Exists(Path.Combine(dir, "tokenizer.json")) ? dir
            : throw Check.Error(path, $"'{dir}' has no tokenizer.json; give a built-in name (qwen3, gemma3, o200k_harmony) or a tokenizer directory");
    }
}

public sealed record StudentFile
{
    public string? Family { get; init; }
    public string? Tokenizer { get; init; }
    public string? ChatFormat { get; init; }
    public string? Checkpoint { get; init; }
    public double? InitStd { get; init; }
    /// <summary>The shape fields as <see cref="StudentShape"/> names them (snake_case in the file).</summary>
    public StudentShape? Shape { get; init; }

    public StudentSpec Validate(string path, string baseDir)
    {
        string At(string field) => Check.PathOf(path, field);
        var family = Check.RequiredText(Family, At("family"), "qwen3, gemma3 or gpt-oss");
        if (!ModelFactory.Families.Contains(family)) throw Check.Error(At("family"), $"'{family}' is not one of {string.Join(", ", ModelFactory.Families)}");
        var checkpoint = Check.Text(Checkpoint, At("checkpoint")) is { } c ? TrainConfigFile.ExistingDir(Check.ResolvePath(baseDir, c), At("checkpoint")) : null;
        return new StudentSpec
        {
            Family = family,
            Tokenizer = TrainConfigFile.Tokenizer(Tokenizer, At("tokenizer"), baseDir, required: checkpoint is null) ?? checkpoint!,
            ChatFormat = TrainConfigFile.ChatFormat(ChatFormat, family, At("chat_format")),
            Checkpoint = checkpoint,
            InitStd = Check.Range(InitStd, At("init_std"), 1e-6, 1) ?? 0.02,
            Shape = Shape is { } s ? Validate(s, At("shape")) : new StudentShape(),
        };
    }

    static StudentShape Validate(StudentShape s, string path)
    {
        string At(string field) => Check.PathOf(path, field);
        Check.Range(s.HiddenSize, At("hidden_size"), 8);
        Check.Range(s.IntermediateSize, At("intermediate_size"), 8);
        Check.Range(s.NumLayers, At("num_layers"), 1);
        Check.Range(s.NumHeads, At("num_heads"), 1);
        Check.Range(s.NumKvHeads, At("num_kv_heads"), 1);
        Check.Range(s.HeadDim, At("head_dim"), 2);
        Check.Range(s.MaxPositionEmbeddings, At("max_position_embeddings"), 16);
        Check.Range(s.SlidingWindow, At("sliding_window"), 1);
        Check.Range(s.RopeTheta, At("rope_theta"), 2);
        Check.Range(s.NumExperts, At("num_experts"), 1);
        Check.Range(s.ExpertsPerToken, At("experts_per_token"), 1);
        return s;
    }
}

public sealed record TrainTeacherFile
{
    public string? Name { get; init; }
    public string? Checkpoint { get; init; }
    public string? Tokenizer { get; init; }
    public string? ChatFormat { get; init; }
    public double? Weight { get; init; }
    public List<string?>? Skills { get; init; }
    public string? License { get; init; }
    public string? Revision { get; init; }

    public TrainTeacherSpec Validate(string path, string baseDir)
    {
        string At(string field) => Check.PathOf(path, field);
        var checkpoint = TrainConfigFile.ExistingDir(
            Check.ResolvePath(baseDir, Check.RequiredText(Checkpoint, At("checkpoint"), "an in-process teacher's checkpoint directory")), At("checkpoint"));
        var family = Models.Config.ConfigLoader.Load(checkpoint).Family;
        return new TrainTeacherSpec
        {
            Name = Check.RequiredText(Name, At("name")),
            Checkpoint = checkpoint,
            Tokenizer = TrainConfigFile.Tokenizer(Tokenizer, At("tokenizer"), baseDir, required: false) ?? checkpoint,
            ChatFormat = TrainConfigFile.ChatFormat(ChatFormat, family, At("chat_format")),
            Weight = Check.Range(Weight, At("weight"), 0) ?? 1.0,
            Skills = Check.Strings(Skills, At("skills")),
            License = Check.Text(License, At("license")),
            Revision = Check.Text(Revision, At("revision")),
        };
    }
}

public sealed record LossesFile
{
    public double? Sequence { get; init; }
    public double? Logit { get; init; }
    public string? LogitKind { get; init; }
    public double? JsdBeta { get; init; }
    public double? Temperature { get; init; }
    public double? StoredTopK { get; init; }
    public double? Uld { get; init; }
    public double? ExactMatch { get; init; }
    public int? TeacherTopK { get; init; }

    static readonly Dictionary<string, LogitLossKind> Kinds = new()
    {
        ["forward_kl"] = LogitLossKind.ForwardKl, ["reverse_kl"] = LogitLossKind.ReverseKl, ["jsd"] = LogitLossKind.Jsd,
    };

    public LossSpec Validate(string path)
    {
        string At(string field) => Check.PathOf(path, field);
        var d = new LossSpec();
        return new LossSpec
        {
            Sequence = Check.Range(Sequence, At("sequence"), 0) ?? d.Sequence,
            Logit = Check.Range(Logit, At("logit"), 0) ?? d.Logit,
            LogitKind = Check.OneOf(LogitKind, At("logit_kind"), Kinds) ?? d.LogitKind,
            JsdBeta = Check.Range(JsdBeta, At("jsd_beta"), 0, 1) ?? d.JsdBeta,
            Temperature = Check.Range(Temperature, At("temperature"), 1e-3, 100) ?? d.Temperature,
            StoredTopK = Check.Range(StoredTopK, At("stored_top_k"), 0) ?? d.StoredTopK,
            Uld = Check.Range(Uld, At("uld"), 0) ?? d.Uld,
            ExactMatch = Check.Range(ExactMatch, At("exact_match"), 0) ?? d.ExactMatch,
            TeacherTopK = Check.Range(TeacherTopK, At("teacher_top_k"), 1, 4096) ?? d.TeacherTopK,
        };
    }
}

public sealed record WeightingFile
{
    public string? Method { get; init; }
    public double? Temperature { get; init; }

    static readonly Dictionary<string, WeightingMethod> Methods = new()
    {
        ["fixed"] = WeightingMethod.Fixed, ["skill"] = WeightingMethod.Skill, ["entropy"] = WeightingMethod.Entropy,
        ["min_ce"] = WeightingMethod.MinCe, ["avg_ce"] = WeightingMethod.AvgCe,
    };

    public WeightingSpec Validate(string path) => new()
    {
        Method = Check.OneOf(Method, Check.PathOf(path, "method"), Methods) ?? WeightingMethod.Fixed,
        Temperature = Check.Range(Temperature, Check.PathOf(path, "temperature"), 1e-3, 1e3) ?? 1.0,
    };
}

public sealed record TrainingFile
{
    public int? Steps { get; init; }
    public int? BatchSize { get; init; }
    public int? GradAccumulation { get; init; }
    public int? SeqLen { get; init; }
    public bool? Packing { get; init; }
    public double? LearningRate { get; init; }
    public double? MinLrRatio { get; init; }
    public int? WarmupSteps { get; init; }
    public double? WeightDecay { get; init; }
    public double? Beta1 { get; init; }
    public double? Beta2 { get; init; }
    public double? Epsilon { get; init; }
    public double? ClipNorm { get; init; }
    public string? Precision { get; init; }
    public string? Device { get; init; }
    public int? CheckpointEvery { get; init; }
    public int? KeepCheckpoints { get; init; }
    public int? LogEvery { get; init; }
    public int? EvalEvery { get; init; }

    static readonly Dictionary<string, Precision> Precisions = new()
    {
        ["auto"] = Training.Precision.Auto, ["fp32"] = Training.Precision.Fp32, ["bf16"] = Training.Precision.Bf16,
    };

    static readonly Dictionary<string, string> Devices = new() { ["auto"] = "auto", ["cpu"] = "cpu", ["cuda"] = "cuda" };

    public OptimizationSpec Validate(string path)
    {
        string At(string field) => Check.PathOf(path, field);
        var d = new OptimizationSpec();
        return new OptimizationSpec
        {
            Steps = Check.Range(Steps, At("steps"), 1) ?? d.Steps,
            BatchSize = Check.Range(BatchSize, At("batch_size"), 1) ?? d.BatchSize,
            GradAccumulation = Check.Range(GradAccumulation, At("grad_accumulation"), 1) ?? d.GradAccumulation,
            SeqLen = Check.Range(SeqLen, At("seq_len"), 8) ?? d.SeqLen,
            Packing = Packing ?? d.Packing,
            LearningRate = Check.Range(LearningRate, At("learning_rate"), 0, 10) ?? d.LearningRate,
            MinLrRatio = Check.Range(MinLrRatio, At("min_lr_ratio"), 0, 1) ?? d.MinLrRatio,
            WarmupSteps = Check.Range(WarmupSteps, At("warmup_steps"), 0) ?? d.WarmupSteps,
            WeightDecay = Check.Range(WeightDecay, At("weight_decay"), 0, 10) ?? d.WeightDecay,
            Beta1 = Check.Range(Beta1, At("beta1"), 0, 0.999999) ?? d.Beta1,
            Beta2 = Check.Range(Beta2, At("beta2"), 0, 0.999999) ?? d.Beta2,
            Epsilon = Check.Range(Epsilon, At("epsilon"), 1e-20, 1) ?? d.Epsilon,
            ClipNorm = Check.Range(ClipNorm, At("clip_norm"), 0) ?? d.ClipNorm,
            Precision = Check.OneOf(Precision, At("precision"), Precisions) ?? d.Precision,
            Device = Check.Text(Device, At("device")) is { } device
                ? Devices.ContainsKey(device) ? device : throw Check.Error(At("device"), $"'{device}' is not one of auto, cpu, cuda")
                : d.Device,
            CheckpointEvery = Check.Range(CheckpointEvery, At("checkpoint_every"), 1) ?? d.CheckpointEvery,
            KeepCheckpoints = Check.Range(KeepCheckpoints, At("keep_checkpoints"), 1) ?? d.KeepCheckpoints,
            LogEvery = Check.Range(LogEvery, At("log_every"), 1) ?? d.LogEvery,
            EvalEvery = Check.Range(EvalEvery, At("eval_every"), 0) ?? d.EvalEvery,
        };
    }
}
