using Avocado.Common.Config;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Avocado.Models;
using Avocado.Text.Chat;

namespace Avocado.Training;

/// <summary>
/// Reads a training config (JSON, snake_case, comments allowed), checking every field and naming the field path of the
/// first problem; unknown fields are errors. Relative paths resolve against the config file's directory.
/// </summary>
public static class TrainConfigLoader
{
    public static TrainConfig Load(string path)
    {
        var (bytes, json) = ConfigFile.Read(path);
        var baseDir = Path.GetDirectoryName(Path.GetFullPath(path))!;
        return Parse(json, baseDir, path) with { ConfigHash = Convert.ToHexStringLower(SHA256.HashData(bytes)) };
    }

    public static TrainConfig Parse(ReadOnlySpan<byte> json, string baseDir, string source = "config")
    {
        JsonNode? root;
        try { root = JsonNode.Parse(json, documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true }); }
        catch (JsonException e) { throw new ConfigException($"{source}: not valid JSON ({e.Message})"); }
        var o = new ConfigObject(root as JsonObject ?? throw new ConfigException($"{source}: the config must be a JSON object"), "");
        var runDir = ConfigObject.ResolvePath(baseDir, o.String("run_dir", required: true, hint: "the directory for checkpoints, metrics and plots")!);
        var student = ParseStudent(o.Object("student") ?? throw o.Error("student", "missing; give at least family and tokenizer"), baseDir);
        var data = Paths(o, "data", baseDir, required: true);
        if (data.Count == 0) throw o.Error("data", "list at least one dataset directory or shard file");
        var teachers = (o.Array("teachers") ?? []).Select((n, i) => ParseTeacher(ConfigObject.Of(n, $"teachers[{i}]"), baseDir)).ToList();
        for (int i = 0; i < teachers.Count; i++)
            if (teachers.FindIndex(t => t.Name == teachers[i].Name) != i)
                throw new ConfigException($"teachers[{i}].name: '{teachers[i].Name}' is used by another teacher; names must be unique");
        var config = new TrainConfig
        {
            RunDir = runDir,
            OutputDir = o.String("output_dir") is { } output ? ConfigObject.ResolvePath(baseDir, output) : Path.Combine(runDir, "student"),
            Seed = o.Long("seed") ?? 0,
            Student = student,
            Data = data,
            EvalData = Paths(o, "eval_data", baseDir, required: false),
            Teachers = teachers,
            Losses = o.Object("losses") is { } l ? ParseLosses(l) : new LossSpec(),
            Weighting = o.Object("teacher_weighting") is { } w ? ParseWeighting(w) : new WeightingSpec(),
            Training = o.Object("training") is { } t ? ParseOptimization(t) : new OptimizationSpec(),
        };
        o.EnsureNoUnknown();
        if (config.Weighting.Method == WeightingMethod.Skill && teachers.All(t => t.Skills.Count == 0))
            throw new ConfigException("teacher_weighting.method: 'skill' routing needs teachers[*].skills");
        return config;
    }

    static StudentSpec ParseStudent(ConfigObject s, string baseDir)
    {
        var family = s.String("family", required: true, hint: "qwen3, gemma3 or gpt-oss")!;
        if (!ModelFactory.Families.Contains(family)) throw s.Error("family", $"'{family}' is not one of {string.Join(", ", ModelFactory.Families)}");
        var checkpoint = s.String("checkpoint") is { } c ? ExistingDir(s, "checkpoint", ConfigObject.ResolvePath(baseDir, c)) : null;
        var spec = new StudentSpec
        {
            Family = family,
            Tokenizer = TokenizerSpec(s, "tokenizer", baseDir, required: checkpoint is null) ?? checkpoint!,
            ChatFormat = ChatFormat(s, family),
            Checkpoint = checkpoint,
            InitStd = s.Double("init_std", min: 1e-6, max: 1) ?? 0.02,
        };
        if (s.Object("shape") is { } shape)
        {
            spec = spec with
            {
                Shape = new StudentShape
                {
                    HiddenSize = shape.Int("hidden_size", min: 8), IntermediateSize = shape.Int("intermediate_size", min: 8),
                    NumLayers = shape.Int("num_layers", min: 1), NumHeads = shape.Int("num_heads", min: 1),
                    NumKvHeads = shape.Int("num_kv_heads", min: 1), HeadDim = shape.Int("head_dim", min: 2),
                    MaxPositionEmbeddings = shape.Int("max_position_embeddings", min: 16), SlidingWindow = shape.Int("sliding_window", min: 1),
                    RopeTheta = shape.Double("rope_theta", min: 2),
                    NumExperts = shape.Int("num_experts", min: 1), ExpertsPerToken = shape.Int("experts_per_token", min: 1),
                },
            };
            shape.EnsureNoUnknown();
        }
        s.EnsureNoUnknown();
        return spec;
    }

    static TrainTeacherSpec ParseTeacher(ConfigObject t, string baseDir)
    {
        var checkpoint = ExistingDir(t, "checkpoint", ConfigObject.ResolvePath(baseDir, t.String("checkpoint", required: true, hint: "an in-process teacher's checkpoint directory")!));
        var family = Models.Config.ConfigLoader.Load(checkpoint).Family;
        var skills = t.Array("skills") is { } arr
            ? arr.Select((n, i) => n is JsonValue v && v.TryGetValue(out string? x) && !string.IsNullOrWhiteSpace(x) ? x
                : throw t.Error($"skills[{i}]", "must be a non-empty string")).ToList()
            : [];
        var spec = new TrainTeacherSpec
        {
            Name = t.String("name", required: true)!,
            Checkpoint = checkpoint,
            Tokenizer = TokenizerSpec(t, "tokenizer", baseDir, required: false) ?? checkpoint,
            ChatFormat = ChatFormat(t, family),
            Weight = t.Double("weight", min: 0) ?? 1.0,
            Skills = skills,
            License = t.String("license"),
            Revision = t.String("revision"),
        };
        t.EnsureNoUnknown();
        return spec;
    }

    static LossSpec ParseLosses(ConfigObject l)
    {
        var d = new LossSpec();
        var spec = new LossSpec
        {
            Sequence = l.Double("sequence", min: 0) ?? d.Sequence,
            Logit = l.Double("logit", min: 0) ?? d.Logit,
            LogitKind = l.Enum("logit_kind", new Dictionary<string, LogitLossKind>
            {
                ["forward_kl"] = LogitLossKind.ForwardKl, ["reverse_kl"] = LogitLossKind.ReverseKl, ["jsd"] = LogitLossKind.Jsd,
            }) ?? d.LogitKind,
            JsdBeta = l.Double("jsd_beta", min: 0, max: 1) ?? d.JsdBeta,
            Temperature = l.Double("temperature", min: 1e-3, max: 100) ?? d.Temperature,
            StoredTopK = l.Double("stored_top_k", min: 0) ?? d.StoredTopK,
            Uld = l.Double("uld", min: 0) ?? d.Uld,
            ExactMatch = l.Double("exact_match", min: 0) ?? d.ExactMatch,
            TeacherTopK = l.Int("teacher_top_k", min: 1, max: 4096) ?? d.TeacherTopK,
        };
        l.EnsureNoUnknown();
        return spec;
    }

    static WeightingSpec ParseWeighting(ConfigObject w)
    {
        var spec = new WeightingSpec
        {
            Method = w.Enum("method", new Dictionary<string, WeightingMethod>
            {
                ["fixed"] = WeightingMethod.Fixed, ["skill"] = WeightingMethod.Skill, ["entropy"] = WeightingMethod.Entropy,
                ["min_ce"] = WeightingMethod.MinCe, ["avg_ce"] = WeightingMethod.AvgCe,
            }) ?? WeightingMethod.Fixed,
            Temperature = w.Double("temperature", min: 1e-3, max: 1e3) ?? 1.0,
        };
        w.EnsureNoUnknown();
        return spec;
    }

    static OptimizationSpec ParseOptimization(ConfigObject t)
    {
        var d = new OptimizationSpec();
        var spec = new OptimizationSpec
        {
            Steps = t.Int("steps", min: 1) ?? d.Steps,
            BatchSize = t.Int("batch_size", min: 1) ?? d.BatchSize,
            GradAccumulation = t.Int("grad_accumulation", min: 1) ?? d.GradAccumulation,
            SeqLen = t.Int("seq_len", min: 8) ?? d.SeqLen,
            Packing = t.Bool("packing") ?? d.Packing,
            LearningRate = t.Double("learning_rate", min: 0, max: 10) ?? d.LearningRate,
            MinLrRatio = t.Double("min_lr_ratio", min: 0, max: 1) ?? d.MinLrRatio,
            WarmupSteps = t.Int("warmup_steps", min: 0) ?? d.WarmupSteps,
            WeightDecay = t.Double("weight_decay", min: 0, max: 10) ?? d.WeightDecay,
            Beta1 = t.Double("beta1", min: 0, max: 0.999999) ?? d.Beta1,
            Beta2 = t.Double("beta2", min: 0, max: 0.999999) ?? d.Beta2,
            Epsilon = t.Double("epsilon", min: 1e-20, max: 1) ?? d.Epsilon,
            ClipNorm = t.Double("clip_norm", min: 0) ?? d.ClipNorm,
            Precision = t.Enum("precision", new Dictionary<string, Precision>
            {
                ["auto"] = Precision.Auto, ["fp32"] = Precision.Fp32, ["bf16"] = Precision.Bf16,
            }) ?? d.Precision,
            Device = t.String("device") is { } device
                ? device is "auto" or "cpu" or "cuda" ? device : throw t.Error("device", $"'{device}' is not one of auto, cpu, cuda")
                : d.Device,
            CheckpointEvery = t.Int("checkpoint_every", min: 1) ?? d.CheckpointEvery,
            KeepCheckpoints = t.Int("keep_checkpoints", min: 1) ?? d.KeepCheckpoints,
            LogEvery = t.Int("log_every", min: 1) ?? d.LogEvery,
            EvalEvery = t.Int("eval_every", min: 0) ?? d.EvalEvery,
        };
        t.EnsureNoUnknown();
        return spec;
    }

    static string ChatFormat(ConfigObject o, string family)
    {
        var format = o.String("chat_format") ?? family;
        if (!ChatFormats.Families.Contains(format)) throw o.Error("chat_format", $"'{format}' is not one of {string.Join(", ", ChatFormats.Families)}");
        return format;
    }

    /// <summary>A built-in tokenizer name stays a name; anything else is a directory that must hold tokenizer.json.</summary>
    static string? TokenizerSpec(ConfigObject o, string field, string baseDir, bool required)
    {
        var value = o.String(field, required, hint: "a built-in tokenizer (qwen3, gemma3, o200k_harmony) or a directory with tokenizer.json");
        if (value is null || Text.Tokenizers.BuiltInTokenizers.Names.Contains(value)) return value;
        var dir = ConfigObject.ResolvePath(baseDir, value);
        if (!File.Exists(Path.Combine(dir, "tokenizer.json")))
            throw o.Error(field, $"'{dir}' has no tokenizer.json; give a built-in name (qwen3, gemma3, o200k_harmony) or a tokenizer directory");
        return dir;
    }

    static List<string> Paths(ConfigObject o, string field, string baseDir, bool required)
    {
        var arr = o.Array(field, required);
        if (arr is null) return [];
        var paths = new List<string>();
        for (int i = 0; i < arr.Count; i++)
        {
            if (arr[i] is not JsonValue v || !v.TryGetValue(out string? p) || string.IsNullOrWhiteSpace(p))
                throw o.Error($"{field}[{i}]", "must be a path");
            var full = ConfigObject.ResolvePath(baseDir, p);
            if (!File.Exists(full) && !Directory.Exists(full)) throw o.Error($"{field}[{i}]", $"'{full}' does not exist");
            paths.Add(full);
        }
        return paths;
    }

    static string ExistingDir(ConfigObject o, string field, string dir) =>
        Directory.Exists(dir) ? dir : throw o.Error(field, $"directory '{dir}' does not exist");

}
