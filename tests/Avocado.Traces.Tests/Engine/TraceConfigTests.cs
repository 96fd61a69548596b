using Avocado.Common.Config;
using System.Text;
using Avocado.Traces.Config;
using Avocado.Data.Prompts;

namespace Avocado.Traces.Tests.Engine;

public sealed class TraceConfigTests : IDisposable
{
    readonly string dir = RunFiles.NewDir();

    public TraceConfigTests() => File.WriteAllLines(Path.Combine(dir, "prompts.jsonl"), RunFiles.Gsm8kLines);

    public void Dispose() => Directory.Delete(dir, recursive: true);

    TraceConfig Parse(string json) => TraceConfigLoader.Parse(Encoding.UTF8.GetBytes(json), dir);

    static string With(string teachers, string extra = "") => $$"""
        { "teachers": [{{teachers}}], "prompt_sets": [{ "files": ["prompts.jsonl"], "kind": "gsm8k" }], "output_dir": "out"{{extra}} }
        """;

    const string Oss = """{ "name": "oss", "family": "gpt-oss", "provider": "openai", "endpoint": "http://gpu:8000/v1", "model": "openai/gpt-oss-20b" }""";

    [Fact]
    public void Reads_a_config_with_defaults_and_paths_relative_to_the_config()
    {
        const string gemma = """
            { "name": "gemma", "family": "gemma3", "provider": "openai", "endpoint": "http://gpu:8001/v1", "model": "g",
              "api_key_env": "GEMMA_KEY", "preferred_skills": ["math"], "top_logprobs": 20, "samples_per_prompt": 4,
              "sampling": { "temperature": 0.6, "top_p": 0.95, "top_k": 20, "max_tokens": 4096, "seed": 1 }, "reasoning_effort": "high" }
            """;
        var c = Parse(With(Oss + ", " + gemma, """, "selection_policy": "per-skill", "concurrency": 16, "verifier": true"""));
        Assert.Equal(Path.Combine(dir, "out"), c.OutputDir);
        Assert.Equal(Path.Combine(dir, "prompts.jsonl"), c.PromptSets[0].Files[0]);
        Assert.Equal(PromptFileKind.Gsm8k, c.PromptSets[0].Kind);
        Assert.Equal("prompts", c.PromptSets[0].Name);
        Assert.Equal("Apache-2.0", c.Teachers[0].License);
        Assert.Equal("Gemma Terms of Use", c.Teachers[1].License);
        Assert.Equal(TeacherProvider.OpenAi, c.Teachers[1].Provider);
        Assert.Equal(4, c.Teachers[1].SamplesPerPrompt);
        Assert.Equal(0.95, c.Teachers[1].Sampling.TopP);
        Assert.Equal(1, c.Teachers[1].Sampling.Seed);
        Assert.Equal(SelectionPolicyKind.PerSkill, c.Selection);
        Assert.Equal(16, c.Concurrency);
        Assert.Empty(c.EvalSets);
    }

    [Theory]
    [InlineData(""", "concurrency": "eight" ""","concurrency: must be an integer")]
    [InlineData(""", "verifier": "yes" ""","verifier: must be true or false")]
    [InlineData(""", "eval_sets": {} ""","eval_sets: must be a JSON array")]
    [InlineData(""", "output_dir": 3 ""","output_dir: must be a string")]
    [InlineData(""", "eval_sets": [null] ""","eval_sets[0]: must be a JSON object")]
    [InlineData(""", "output_dir": " " ""","output_dir: must not be empty")]
    public void Wrong_types_name_the_field_and_what_it_takes(string extra, string expected)
    {
        // A repeated key takes its last value (System.Text.Json's rule): the extra output_dir replaces the valid one.
        Assert.StartsWith(expected, Assert.Throws<ConfigException>(() => Parse(With(Oss, extra))).Message);
    }

    [Fact]
    public void Teacher_fields_of_the_wrong_type_name_their_path()
    {
        var teacher = Oss.Replace("}", """, "samples_per_prompt": "two" }""");
        Assert.StartsWith("teachers[0].samples_per_prompt: must be an integer", Assert.Throws<ConfigException>(() => Parse(With(teacher))).Message);
        var sampling = Oss.Replace("}", """, "sampling": { "top_p": "high" } }""");
        Assert.StartsWith("teachers[0].sampling.top_p: must be a number", Assert.Throws<ConfigException>(() => Parse(With(sampling))).Message);
        Assert.StartsWith("config: not valid JSON", Assert.Throws<ConfigException>(() => Parse("{ \"teachers\": [")).Message);
    }

    [Fact]
    public void A_yaml_config_reads_as_its_json_twin_and_fails_with_the_same_field_paths()
    {
        File.WriteAllText(Path.Combine(dir, "run.json"), With(Oss, """, "concurrency": 16, "selection_policy": "majority-vote" """));
        File.WriteAllText(Path.Combine(dir, "run.yaml"), """
            teachers:
              - name: oss
                family: gpt-oss
                provider: openai
                endpoint: http://gpu:8000/v1
                model: openai/gpt-oss-20b
            prompt_sets:
              - files: [prompts.jsonl]
                kind: gsm8k
            output_dir: out
            concurrency: 16
            selection_policy: majority-vote
            """);
        var json = TraceConfigLoader.Load(Path.Combine(dir, "run.json"));
        var yaml = TraceConfigLoader.Load(Path.Combine(dir, "run.yaml"));
        Assert.Equal((json.OutputDir, json.Concurrency, json.Selection, json.Verifier, json.ShardFormat),
            (yaml.OutputDir, yaml.Concurrency, yaml.Selection, yaml.Verifier, yaml.ShardFormat));
        Assert.Equal(json.Teachers[0] with { PreferredSkills = [] }, yaml.Teachers[0] with { PreferredSkills = [] });
        Assert.Equal(json.PromptSets[0].Files, yaml.PromptSets[0].Files);

        File.WriteAllText(Path.Combine(dir, "bad.yml"), "teachers:\n  - name: oss\n    family: gpt-oss\n    provider: openai\n    endpoint: http://h/v1\n    model: m\n    samples_per_prompt: 0\nprompt_sets: [{ files: [prompts.jsonl] }]\noutput_dir: out\n");
        Assert.StartsWith("teachers[0].samples_per_prompt: must be ≥ 1", Assert.Throws<ConfigException>(() => TraceConfigLoader.Load(Path.Combine(dir, "bad.yml"))).Message);
    }

    [Theory]
    [InlineData("""{ "name": "a", "family": "qwen3", "provider": "openai", "model": "m" }""", "", "teachers[1].endpoint: missing")]
    [InlineData("""{ "name": "a", "family": "qwen3", "provider": "openai", "endpoint": "gpu:8000", "model": "m" }""", "", "teachers[1].endpoint: 'gpu:8000' is not an http(s) URL")]
    [InlineData("""{ "name": "a", "family": "llama", "provider": "openai", "endpoint": "http://h/v1", "model": "m" }""", "", "teachers[1].family: 'llama' is not a teacher family")]
    [InlineData("""{ "name": "a", "family": "qwen3", "provider": "vllm" }""", "", "teachers[1].provider: 'vllm' is not one of in-process, openai")]
    [InlineData("""{ "name": "a", "family": "qwen3", "provider": "in-process", "checkpoint": "nowhere" }""", "", "teachers[1].checkpoint: directory")]
    [InlineData("""{ "name": "oss", "family": "qwen3", "provider": "openai", "endpoint": "http://h/v1", "model": "m" }""", "", "teachers[1].name: 'oss' is used by another teacher")]
    [InlineData("""{ "name": "a", "family": "qwen3", "provider": "openai", "endpoint": "http://h/v1", "model": "m", "sampling": { "top_p": 2 } }""", "", "teachers[1].sampling.top_p: must be in (0, 1]")]
    [InlineData("""{ "name": "a", "family": "qwen3", "provider": "openai", "endpoint": "http://h/v1", "model": "m", "top_logprobs": 101 }""", "", "teachers[1].top_logprobs: must be in [0, 100]")]
    [InlineData("""{ "name": "a", "family": "qwen3", "provider": "openai", "endpoint": "http://h/v1", "model": "m", "temprature": 1 }""", "", "teachers[1].temprature: unknown field")]
    [InlineData("""{ "name": "a", "family": "qwen3", "provider": "openai", "endpoint": "http://h/v1", "model": "m" }""", """, "selection_policy": "best" """, "selection_policy: 'best' is not one of")]
    [InlineData("""{ "name": "a", "family": "qwen3", "provider": "openai", "endpoint": "http://h/v1", "model": "m" }""", """, "concurency": 4 """, "concurency: unknown field")]
    [InlineData("""{ "name": "a", "family": "qwen3", "provider": "openai", "endpoint": "http://h/v1", "model": "m" }""", """, "concurrency": 0 """, "concurrency: must be ≥ 1")]
    [InlineData("""{ "name": "a", "family": "qwen3", "provider": "openai", "endpoint": "http://h/v1", "model": "m" }""", """, "eval_sets": [{ "files": ["missing.jsonl"] }] """, "eval_sets[0].files[0]: file")]
    public void Errors_name_the_field(string secondTeacher, string extra, string expected)
    {
        var e = Assert.Throws<ConfigException>(() => Parse(With(Oss + ", " + secondTeacher, extra)));
        Assert.StartsWith(expected, e.Message);
    }

    [Fact]
    public void Missing_sections_are_named()
    {
        Assert.StartsWith("teachers: missing", Assert.Throws<ConfigException>(() => Parse("""{ "prompt_sets": [], "output_dir": "o" }""")).Message);
        Assert.StartsWith("prompt_sets: list at least one", Assert.Throws<ConfigException>(() => Parse($$"""{ "teachers": [{{Oss}}], "prompt_sets": [], "output_dir": "o" }""")).Message);
        Assert.StartsWith("output_dir: missing", Assert.Throws<ConfigException>(() =>
            Parse($$"""{ "teachers": [{{Oss}}], "prompt_sets": [{ "files": ["prompts.jsonl"] }] }""")).Message);
    }
}
