using Avocado.Common.Config;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Avocado.Data.Prompts;
using Avocado.Teachers;
using Avocado.Text.Chat;

namespace Avocado.Traces.Config;

/// <summary>
/// Reads a run config (JSON, snake_case; see docs in <see cref="TraceConfig"/>), checking every field and naming the
/// field path of the first problem. Unknown fields are errors (a typo must not silently fall back to a default).
/// Relative paths resolve against the config file's directory.
/// </summary>
public static class TraceConfigLoader
{
    public static TraceConfig Load(string path)
    {
        var (bytes, json) = ConfigFile.Read(path);
        var baseDir = Path.GetDirectoryName(Path.GetFullPath(path))!;
        return Parse(json, baseDir, path) with { ConfigHash = Convert.ToHexStringLower(SHA256.HashData(bytes)) };
    }

    public static TraceConfig Parse(ReadOnlySpan<byte> json, string baseDir, string source = "config")
    {
        JsonNode? root;
        try { root = JsonNode.Parse(json, documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true }); }
        catch (JsonException e) { throw new ConfigException($"{source}: not valid JSON ({e.Message})"); }
        var o = new ConfigObject(root as JsonObject ?? throw new ConfigException($"{source}: the config must be a JSON object"), "");
        var teachersArray = o.Array("teachers", required: true)!;
        if (teachersArray.Count == 0) throw new ConfigException("teachers: list at least one teacher");
        var teachers = teachersArray.Select((n, i) => ParseTeacher(ConfigObject.Of(n, $"teachers[{i}]"), baseDir)).ToList();
        for (int i = 0; i < teachers.Count; i++)
            if (teachers.FindIndex(t => t.Name == teachers[i].Name) != i)
                throw new ConfigException($"teachers[{i}].name: '{teachers[i].Name}' is used by another teacher; names must be unique");
        var promptSets = ParseSets(o, "prompt_sets", baseDir, required: true);
        if (promptSets.Count == 0) throw new ConfigException("prompt_sets: list at least one prompt set");
        var config = new TraceConfig
        {
            Teachers = teachers,
            PromptSets = promptSets,
            EvalSets = ParseSets(o, "eval_sets", baseDir, required: false),
            DecontaminationN = o.Int("decontamination_n", min: 1) ?? 13,
            Verifier = o.Bool("verifier") ?? true,
            Selection = o.Enum("selection_policy", new Dictionary<string, SelectionPolicyKind>
            {
                ["all-verified"] = SelectionPolicyKind.AllVerified, ["majority-vote"] = SelectionPolicyKind.MajorityVote,
                ["per-skill"] = SelectionPolicyKind.PerSkill, ["shortest-verified"] = SelectionPolicyKind.ShortestVerified,
            }) ?? SelectionPolicyKind.AllVerified,
            OutputDir = ConfigObject.ResolvePath(baseDir, o.String("output_dir", required: true)!),
            Concurrency = o.Int("concurrency", min: 1) ?? 8,
            ShardSize = o.Int("shard_size", min: 1) ?? 10_000,
            ShardFormat = o.Enum("shard_format", new Dictionary<string, Avocado.Data.Dataset.ShardFormat>
            {
                ["parquet"] = Avocado.Data.Dataset.ShardFormat.Parquet, ["jsonl"] = Avocado.Data.Dataset.ShardFormat.Jsonl,
            }) ?? Avocado.Data.Dataset.ShardFormat.Parquet,
        };
        o.EnsureNoUnknown();
        return config;
    }

    static TeacherConfig ParseTeacher(ConfigObject t, string baseDir)
    {
        var name = t.String("name", required: true)!;
        var familyText = t.String("family", required: true)!;
        string family;
        try { family = TeacherFamilies.Normalize(familyText); }
        catch (ArgumentException) { throw t.Error("family", $"'{familyText}' is not a teacher family; use one of {string.Join(", ", TeacherFamilies.All)}"); }
        var provider = t.Enum("provider", new Dictionary<string, TeacherProvider>
        {
            ["in-process"] = TeacherProvider.InProcess, ["openai"] = TeacherProvider.OpenAi,
        }, required: true)!.Value;
        string? checkpoint = null, model = null, apiKeyEnv = null;
        Uri? endpoint = null;
        if (provider == TeacherProvider.InProcess)
        {
            checkpoint = ConfigObject.ResolvePath(baseDir, t.String("checkpoint", required: true, hint: "the checkpoint directory of an in-process teacher")!);
            if (!Directory.Exists(checkpoint)) throw t.Error("checkpoint", $"directory '{checkpoint}' does not exist");
        }
        else
        {
            var url = t.String("endpoint", required: true, hint: "the API base of an OpenAI-compatible server, e.g. http://host:8000/v1")!;
            if (!Uri.TryCreate(url, UriKind.Absolute, out endpoint) || (endpoint.Scheme != Uri.UriSchemeHttp && endpoint.Scheme != Uri.UriSchemeHttps))
                throw t.Error("endpoint", $"'{url}' is not an http(s) URL; give the API base, e.g. http://host:8000/v1");
            model = t.String("model", required: true, hint: "the model name the server knows")!;
            apiKeyEnv = t.String("api_key_env");
        }
        var sampling = new TeacherSampling();
        if (t.Object("sampling") is { } s)
        {
            sampling = new TeacherSampling
            {
                Temperature = s.Double("temperature", min: 0) ?? sampling.Temperature,
                TopP = s.Double("top_p", min: double.Epsilon, max: 1) ?? sampling.TopP,
                TopK = s.Int("top_k", min: 0) ?? sampling.TopK,
                MaxTokens = s.Int("max_tokens", min: 1) ?? sampling.MaxTokens,
                Seed = s.Long("seed"),
            };
            s.EnsureNoUnknown();
        }
        var skills = t.Array("preferred_skills") is { } arr
            ? arr.Select((n, i) => n is JsonValue v && v.TryGetValue(out string? x) && !string.IsNullOrWhiteSpace(x) ? x
                : throw t.Error($"preferred_skills[{i}]", "must be a non-empty string")).ToList()
            : [];
        var config = new TeacherConfig
        {
            Name = name,
            Family = family,
            Provider = provider,
            Checkpoint = checkpoint,
            Endpoint = endpoint,
            Model = model,
            ApiKeyEnv = apiKeyEnv,
            Revision = t.String("revision"),
            License = t.String("license") ?? TeacherFamilies.DefaultLicense(family),
            PreferredSkills = skills,
            Sampling = sampling,
            SamplesPerPrompt = t.Int("samples_per_prompt", min: 1) ?? 1,
            TopLogprobs = t.Int("top_logprobs", min: 0, max: TeacherRequest.MaxTopLogprobs),
            ReasoningEffort = t.Enum("reasoning_effort", new Dictionary<string, ReasoningEffort>
            {
                ["low"] = ReasoningEffort.Low, ["medium"] = ReasoningEffort.Medium, ["high"] = ReasoningEffort.High,
            }),
            MaxBatch = t.Int("max_batch", min: 1) ?? 8,
            CurrentDate = t.String("current_date") is { } d
                ? DateOnly.TryParseExact(d, "yyyy-MM-dd", out var date) ? date : throw t.Error("current_date", $"'{d}' is not a date (yyyy-MM-dd)")
                : null,
        };
        config = EndpointTeacherFields.Read(config, t);
        t.EnsureNoUnknown();
        return config;
    }

    static List<PromptSetConfig> ParseSets(ConfigObject o, string field, string baseDir, bool required)
    {
        var arr = o.Array(field, required);
        if (arr is null) return [];
        var sets = new List<PromptSetConfig>();
        for (int i = 0; i < arr.Count; i++)
        {
            var s = ConfigObject.Of(arr[i], $"{field}[{i}]");
            var files = s.Array("files", required: true)!;
            if (files.Count == 0) throw s.Error("files", "list at least one file");
            var paths = new List<string>();
            for (int j = 0; j < files.Count; j++)
            {
                if (files[j] is not JsonValue v || !v.TryGetValue(out string? f) || string.IsNullOrWhiteSpace(f))
                    throw s.Error($"files[{j}]", "must be a file path");
                var full = ConfigObject.ResolvePath(baseDir, f);
                if (!File.Exists(full)) throw s.Error($"files[{j}]", $"file '{full}' does not exist");
                paths.Add(full);
            }
            var set = new PromptSetConfig
            {
                Name = s.String("name") ?? Path.GetFileNameWithoutExtension(paths[0]),
                Files = paths,
                Kind = s.Enum("kind", new Dictionary<string, PromptFileKind>
                {
                    ["auto"] = PromptFileKind.Auto, ["jsonl"] = PromptFileKind.Jsonl, ["gsm8k"] = PromptFileKind.Gsm8k, ["math"] = PromptFileKind.Math,
                }) ?? PromptFileKind.Auto,
            };
            s.EnsureNoUnknown();
            sets.Add(set);
        }
        return sets;
    }

}
