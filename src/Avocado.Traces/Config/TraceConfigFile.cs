using Avocado.Common.Config;
using Avocado.Data.Prompts;
using Avocado.Teachers;
using Avocado.Text.Chat;
using ShardFormat = Avocado.Data.Dataset.ShardFormat;

namespace Avocado.Traces.Config;

/// <summary>A run config as written (JSON or YAML, snake_case; see <see cref="TraceConfig"/> for what each field means).
/// <see cref="Validate"/> checks every field, naming the path of the first problem, and resolves paths against the
/// config's directory.</summary>
public sealed record TraceConfigFile
{
    public List<TeacherFile?>? Teachers { get; init; }
    public List<PromptSetFile?>? PromptSets { get; init; }
    public List<PromptSetFile?>? EvalSets { get; init; }
    public int? DecontaminationN { get; init; }
    public bool? Verifier { get; init; }
    public string? SelectionPolicy { get; init; }
    public string? OutputDir { get; init; }
    public int? Concurrency { get; init; }
    public int? ShardSize { get; init; }
    public string? ShardFormat { get; init; }

    static readonly Dictionary<string, SelectionPolicyKind> Policies = new()
    {
        ["all-verified"] = SelectionPolicyKind.AllVerified, ["majority-vote"] = SelectionPolicyKind.MajorityVote,
        ["per-skill"] = SelectionPolicyKind.PerSkill, ["shortest-verified"] = SelectionPolicyKind.ShortestVerified,
    };

    static readonly Dictionary<string, ShardFormat> Formats = new() { ["parquet"] = Data.Dataset.ShardFormat.Parquet, ["jsonl"] = Data.Dataset.ShardFormat.Jsonl };

    public TraceConfig Validate(string baseDir)
    {
        var teachers = Check.Items(Check.Required(Teachers, "teachers"), "teachers").Select(t => t.Item.Validate(t.Path, baseDir)).ToList();
        if (teachers.Count == 0) throw Check.Error("teachers", "list at least one teacher");
        for (int i = 0; i < teachers.Count; i++)
            if (teachers.FindIndex(t => t.Name == teachers[i].Name) != i)
                throw Check.Error($"teachers[{i}].name", $"'{teachers[i].Name}' is used by another teacher; names must be unique");
        var promptSets = Check.Items(Check.Required(PromptSets, "prompt_sets"), "prompt_sets").Select(s => s.Item.Validate(s.Path, baseDir)).ToList();
        if (promptSets.Count == 0) throw Check.Error("prompt_sets", "list at least one prompt set");
        return new TraceConfig
        {
            Teachers = teachers,
            PromptSets = promptSets,
            EvalSets = [.. Check.Items(EvalSets, "eval_sets").Select(s => s.Item.Validate(s.Path, baseDir))],
            DecontaminationN = Check.Range(DecontaminationN, "decontamination_n", 1) ?? 13,
            Verifier = Verifier ?? true,
            Selection = Check.OneOf(SelectionPolicy, "selection_policy", Policies) ?? SelectionPolicyKind.AllVerified,
            OutputDir = Check.ResolvePath(baseDir, Check.RequiredText(OutputDir, "output_dir")),
            Concurrency = Check.Range(Concurrency, "concurrency", 1) ?? 8,
            ShardSize = Check.Range(ShardSize, "shard_size", 1) ?? 10_000,
            ShardFormat = Check.OneOf(ShardFormat, "shard_format", Formats) ?? Data.Dataset.ShardFormat.Parquet,
        };
    }
}

public sealed record SamplingFile
{
    public double? Temperature { get; init; }
    public double? TopP { get; init; }
    public int? TopK { get; init; }
    public int? MaxTokens { get; init; }
    public long? Seed { get; init; }

    public TeacherSampling Validate(string path)
    {
        var d = new TeacherSampling();
        return new TeacherSampling
        {
            Temperature = Check.Range(Temperature, Check.PathOf(path, "temperature"), 0) ?? d.Temperature,
            TopP = Check.Range(TopP, Check.PathOf(path, "top_p"), double.Epsilon, 1) ?? d.TopP,
            TopK = Check.Range(TopK, Check.PathOf(path, "top_k"), 0) ?? d.TopK,
            MaxTokens = Check.Range(MaxTokens, Check.PathOf(path, "max_tokens"), 1) ?? d.MaxTokens,
            Seed = Seed,
        };
    }
}

public sealed record PromptSetFile
{
    public string? Name { get; init; }
    public List<string?>? Files { get; init; }
    public string? Kind { get; init; }

    static readonly Dictionary<string, PromptFileKind> Kinds = new()
    {
        ["auto"] = PromptFileKind.Auto, ["jsonl"] = PromptFileKind.Jsonl, ["gsm8k"] = PromptFileKind.Gsm8k, ["math"] = PromptFileKind.Math,
    };

    public PromptSetConfig Validate(string path, string baseDir)
    {
        var files = Check.Required(Files, Check.PathOf(path, "files"));
        if (files.Count == 0) throw Check.Error(Check.PathOf(path, "files"), "list at least one file");
        var paths = Check.Strings(files, Check.PathOf(path, "files"), "must be a file path").Select((f, j) =>
        {
            var full = Check.ResolvePath(baseDir, f);
            return File.Exists(full) ? full : throw Check.Error($"{Check.PathOf(path, "files")}[{j}]", $"file '{full}' does not exist");
        }).ToList();
        return new PromptSetConfig
        {
            Name = Check.Text(Name, Check.PathOf(path, "name")) ?? Path.GetFileNameWithoutExtension(paths[0]),
            Files = paths,
            Kind = Check.OneOf(Kind, Check.PathOf(path, "kind"), Kinds) ?? PromptFileKind.Auto,
        };
    }
}
