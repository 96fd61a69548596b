using System.Text.Json.Nodes;
using Avocado.Training;
using Avocado.Models;
using Avocado.Text.Tokenizers;

namespace Avocado.Training.Tests;

public class TrainerTests
{
    [Fact]
    public void Training_lowers_held_out_loss_and_writes_a_loadable_student_with_run_records()
    {
        var root = TrainingFixture.TempDir("basic");
        var tokenizer = TrainingFixture.Tokenizer(root);
        var train = TrainingFixture.WriteJsonl(root, "train", TrainingFixture.Records("add", 64, 1));
        var eval = TrainingFixture.WriteJsonl(root, "eval", TrainingFixture.Records("add", 16, 2));
        var config = TrainingFixture.Config(Path.Combine(root, "run"), tokenizer, [train], steps: 40, eval: [eval]);
        double before;
        using (var fresh = new Trainer(config with { RunDir = Path.Combine(root, "unused") }, null)) before = fresh.Evaluate()["eval/ce"];
        var (studentDir, result) = TrainingFixture.Train(config);

        Assert.True(result.Completed);
        var summary = JsonNode.Parse(File.ReadAllText(Path.Combine(studentDir, "training_summary.json")))!;
        double after = summary["eval"]!["eval/ce"]!.GetValue<double>();
        Assert.True(after < before * 0.6, $"held-out CE {before:F3} → {after:F3}");
        foreach (var f in new[] { "config.json", "generation_config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json", "README.md" })
            Assert.True(File.Exists(Path.Combine(studentDir, f)), f);
        Assert.Contains("Apache-2.0", File.ReadAllText(Path.Combine(studentDir, "README.md")));
        var run = JsonNode.Parse(File.ReadAllText(Path.Combine(config.RunDir, "run.json")))!;
        Assert.Equal(64, run["data"]![0]!["records"]!.GetValue<int>());
        Assert.Equal(64, run["data"]![0]!["sha256"]!.GetValue<string>().Length);
        // The resolved config run.json records is itself a valid config: a run can be reproduced from it.
        var reloaded = TrainConfigLoader.Parse(System.Text.Encoding.UTF8.GetBytes(run["config"]!.ToJsonString()), config.RunDir);
        Assert.Equal(config.Training, reloaded.Training);
        Assert.Equal(config.Losses, reloaded.Losses);
        Assert.Equal(config.Weighting, reloaded.Weighting);
        Assert.Equal(config.Student.Shape, reloaded.Student.Shape);
        Assert.Equal(config.Data, reloaded.Data);
        var metrics = File.ReadAllLines(Path.Combine(config.RunDir, "metrics.jsonl"));
        Assert.Equal(8, metrics.Length); // every 5 steps of 40
        Assert.All(metrics, l => Assert.NotNull(JsonNode.Parse(l)!["loss/ce"]));
        // Read by other tools (pandas, jq, Python's json): no byte-order mark before the first object.
        foreach (var file in new[] { "metrics.jsonl", "run.json" })
            Assert.Equal((byte)'{', File.ReadAllBytes(Path.Combine(config.RunDir, file))[0]);
        Assert.True(File.Exists(Path.Combine(config.RunDir, "plots", "loss.png")));

        // The student loads with this project's loader and tokenizer and answers like its data.
        using var model = ModelLoader.Load(studentDir);
        var tok = TokenizerLoader.Load(studentDir);
        Assert.Equal(tok.VocabSize, model.Config.VocabSize);
        Assert.Equal(40, result.Steps);
    }

    [Fact]
    public void N_steps_then_resume_then_M_steps_gives_bit_identical_weights_to_N_plus_M_steps()
    {
        var root = TrainingFixture.TempDir("resume");
        var tokenizer = TrainingFixture.Tokenizer(root);
        var train = TrainingFixture.WriteJsonl(root, "train", TrainingFixture.Records("add", 30, 3));
        var straight = TrainingFixture.Config(Path.Combine(root, "straight"), tokenizer, [train], steps: 14)
            with { Training = TrainingFixture.Config("", "", [], 14).Training with { GradAccumulation = 2, CheckpointEvery = 3 } };
        TrainingFixture.Train(straight);

        var split = straight with { RunDir = Path.Combine(root, "split"), OutputDir = Path.Combine(root, "split", "student") };
        using (var first = new Trainer(split, null))
        {
            var partial = first.Run(resume: false, stopAfter: 8); // stops mid-epoch, between checkpoints
            Assert.False(partial.Completed);
        }
        using (var second = new Trainer(split, null))
        {
            var rest = second.Run(resume: true);
            Assert.True(rest.Completed);
        }
        var a = File.ReadAllBytes(Path.Combine(straight.OutputDir, "model.safetensors"));
        var b = File.ReadAllBytes(Path.Combine(split.OutputDir, "model.safetensors"));
        Assert.Equal(a, b);
        var metricsA = File.ReadAllLines(Path.Combine(straight.RunDir, "metrics.jsonl"));
        var metricsB = File.ReadAllLines(Path.Combine(split.RunDir, "metrics.jsonl"));
        Assert.Equal(metricsA.Length, metricsB.Length);
    }

    [Fact]
    public void A_student_initialised_from_a_checkpoint_starts_with_its_weights()
    {
        var root = TrainingFixture.TempDir("from-checkpoint");
        var tokenizer = TrainingFixture.Tokenizer(root);
        var train = TrainingFixture.WriteJsonl(root, "train", TrainingFixture.Records("add", 32, 6));
        var eval = TrainingFixture.WriteJsonl(root, "eval", TrainingFixture.Records("add", 8, 7));
        var first = TrainingFixture.Config(Path.Combine(root, "first"), tokenizer, [train], steps: 20, eval: [eval]);
        var (studentDir, _) = TrainingFixture.Train(first);
        var trained = JsonNode.Parse(File.ReadAllText(Path.Combine(studentDir, "training_summary.json")))!["eval"]!["eval/ce"]!.GetValue<double>();
        var second = first with { RunDir = Path.Combine(root, "second"), Student = first.Student with { Checkpoint = studentDir } };
        using var trainer = new Trainer(second, null);
        Assert.Equal(trained, trainer.Evaluate()["eval/ce"], 5);
        using var fresh = new Trainer(first with { RunDir = Path.Combine(root, "fresh") }, null);
        Assert.True(fresh.Evaluate()["eval/ce"] > trained + 0.5);
    }

    [Fact]
    public void Bf16_training_keeps_fp32_master_weights_and_lowers_the_loss()
    {
        var root = TrainingFixture.TempDir("bf16");
        var tokenizer = TrainingFixture.Tokenizer(root);
        var train = TrainingFixture.WriteJsonl(root, "train", TrainingFixture.Records("add", 16, 8));
        var config = TrainingFixture.Config(Path.Combine(root, "run"), tokenizer, [train], steps: 15);
        config = config with { Training = config.Training with { Precision = Precision.Bf16 } };
        var (studentDir, _) = TrainingFixture.Train(config);
        var metrics = File.ReadAllLines(Path.Combine(config.RunDir, "metrics.jsonl")).Select(l => JsonNode.Parse(l)!["loss/ce"]!.GetValue<double>()).ToList();
        Assert.True(metrics[^1] < metrics[0] * 0.8, string.Join(", ", metrics));
        using var reader = Avocado.Models.Checkpoints.CheckpointReader.Open(Path.Combine(config.RunDir, "checkpoints", "step-00000015", "optimizer.safetensors"));
        Assert.Contains(reader.Tensors.Keys, k => k.StartsWith("master.", StringComparison.Ordinal));
        Assert.True(File.Exists(Path.Combine(studentDir, "model.safetensors")));
    }

    [Fact]
    public void Progress_and_setup_are_written_to_the_log()
    {
        var root = TrainingFixture.TempDir("log");
        var tokenizer = TrainingFixture.Tokenizer(root);
        var train = TrainingFixture.WriteJsonl(root, "train", TrainingFixture.Records("add", 8, 5));
        var log = new StringWriter();
        using (var trainer = new Trainer(TrainingFixture.Config(Path.Combine(root, "run"), tokenizer, [train], steps: 3), log))
            Assert.True(trainer.Run(resume: false).Completed);
        var text = log.ToString();
        Assert.Contains("step 3/3", text);
        Assert.Contains("tok/s", text);
        Assert.Contains("loss = 1·CE(trace)", text);
    }

    [Fact]
    public void A_run_directory_with_checkpoints_is_not_overwritten_without_resume()
    {
        var root = TrainingFixture.TempDir("exists");
        var tokenizer = TrainingFixture.Tokenizer(root);
        var train = TrainingFixture.WriteJsonl(root, "train", TrainingFixture.Records("add", 8, 4));
        var config = TrainingFixture.Config(Path.Combine(root, "run"), tokenizer, [train], steps: 2);
        TrainingFixture.Train(config);
        using var again = new Trainer(config, null);
        var e = Assert.Throws<InvalidOperationException>(() => again.Run(resume: false));
        Assert.Contains("--resume", e.Message);
    }
}
