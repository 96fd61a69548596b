using System.Text;
using Avocado.Common.Config;

namespace Avocado.Training.Tests;

/// <summary>The training config as a person writes it: JSON or YAML, every mistake named by its field path.</summary>
public sealed class TrainConfigTests : IDisposable
{
    readonly TempDir dir = new("avocado-trainconfig-");

    public TrainConfigTests() => Directory.CreateDirectory(dir.File("data"));

    public void Dispose() => dir.Dispose();

    TrainConfig Parse(string json) => TrainConfigLoader.Parse(Encoding.UTF8.GetBytes(json), dir.Path);

    static string With(string extra = "", string student = """{ "family": "qwen3", "tokenizer": "qwen3" }""") =>
        $$"""{ "run_dir": "run", "student": {{student}}, "data": ["data"]{{extra}} }""";

    [Fact]
    public void Reads_defaults_and_resolves_paths_against_the_config()
    {
        var c = Parse(With(""", "training": { "steps": 50, "seq_len": 128 }, "losses": { "logit_kind": "jsd" } /* comment */"""));
        Assert.Equal(dir.File("run"), c.RunDir);
        Assert.Equal(Path.Combine(dir.File("run"), "student"), c.OutputDir);
        Assert.Equal([dir.File("data")], c.Data);
        Assert.Equal((50, 128, 8), (c.Training.Steps, c.Training.SeqLen, c.Training.BatchSize));
        Assert.Equal(LogitLossKind.Jsd, c.Losses.LogitKind);
        Assert.Equal(("qwen3", "qwen3", "qwen3"), (c.Student.Family, c.Student.Tokenizer, c.Student.ChatFormat));
    }

    [Theory]
    [InlineData(""", "training": { "seq_len": 4 }""", "training.seq_len: must be ≥ 8, got 4")]
    [InlineData(""", "training": { "seq_lenn": 64 }""", "training.seq_lenn: unknown field")]
    [InlineData(""", "training": { "steps": "many" }""", "training.steps: must be an integer")]
    [InlineData(""", "training": { "device": "tpu" }""", "training.device: 'tpu' is not one of auto, cpu, cuda")]
    [InlineData(""", "losses": { "logit_kind": "kl" }""", "losses.logit_kind: 'kl' is not one of forward_kl, reverse_kl, jsd")]
    [InlineData(""", "losses": { "jsd_beta": 2 }""", "losses.jsd_beta: must be in [0, 1], got 2")]
    [InlineData(""", "teacher_weighting": { "method": "skill" }""", "teacher_weighting.method: 'skill' routing needs teachers[*].skills")]
    [InlineData(""", "eval_data": ["missing"]""", "eval_data[0]: '")]
    [InlineData(""", "teachers": [{ "name": "t" }]""", "teachers[0].checkpoint: missing")]
    [InlineData(""", "seed": 1.5""", "seed: must be an integer")]
    public void Errors_name_the_field(string extra, string expected) =>
        Assert.StartsWith(expected, Assert.Throws<ConfigException>(() => Parse(With(extra))).Message);

    [Fact]
    public void The_student_needs_a_known_family_and_a_tokenizer()
    {
        Assert.StartsWith("student: missing", Assert.Throws<ConfigException>(() => Parse("""{ "run_dir": "r", "data": ["data"] }""")).Message);
        Assert.StartsWith("student.family: 'llama' is not one of",
            Assert.Throws<ConfigException>(() => Parse(With(student: """{ "family": "llama", "tokenizer": "qwen3" }"""))).Message);
        Assert.StartsWith("student.tokenizer: missing",
            Assert.Throws<ConfigException>(() => Parse(With(student: """{ "family": "qwen3" }"""))).Message);
        Assert.StartsWith("student.shape.num_layers: must be ≥ 1, got 0",
            Assert.Throws<ConfigException>(() => Parse(With(student: """{ "family": "qwen3", "tokenizer": "qwen3", "shape": { "num_layers": 0 } }"""))).Message);
    }

    [Fact]
    public void A_yaml_config_is_its_json_twin()
    {
        File.WriteAllText(dir.File("train.yaml"), """
            run_dir: run
            student: { family: qwen3, tokenizer: qwen3 }
            data: [data]
            training:
              steps: 50
              seq_len: 128
            """);
        File.WriteAllText(dir.File("train.json"), With(""", "training": { "steps": 50, "seq_len": 128 }"""));
        var yaml = TrainConfigLoader.Load(dir.File("train.yaml"));
        var json = TrainConfigLoader.Load(dir.File("train.json"));
        Assert.Equal(json.Training, yaml.Training);
        Assert.Equal(json.Student, yaml.Student);
        Assert.Equal((json.RunDir, json.OutputDir), (yaml.RunDir, yaml.OutputDir));
        File.WriteAllText(dir.File("bad.yml"), "run_dir: run\nstudent: { family: qwen3, tokenizer: qwen3 }\ndata: [data]\ntraining: { seq_len: 4 }\n");
        Assert.StartsWith("training.seq_len: must be ≥ 8, got 4", Assert.Throws<ConfigException>(() => TrainConfigLoader.Load(dir.File("bad.yml"))).Message);
    }
}
