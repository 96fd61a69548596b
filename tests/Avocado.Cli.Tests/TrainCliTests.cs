using System.Diagnostics;
using System.Text.Json.Nodes;

namespace Avocado.Cli.Tests;

/// <summary><c>avocado distill train</c> as a user runs it: a config file with relative paths, field errors, Ctrl-C
/// (SIGINT) checkpointing, and <c>--resume</c>.</summary>
public class TrainCliTests
{
    static string WriteConfig(string root, int steps, string extraTraining = "")
    {
        var tokenizer = TrainingFixture.Tokenizer(root);
        TrainingFixture.WriteJsonl(root, "train", TrainingFixture.Records("add", 24, 51));
        var config = $$"""
            {
              // relative paths resolve against this file's directory
              "run_dir": "run",
              "student": { "family": "qwen3", "tokenizer": "{{Path.GetFileName(tokenizer)}}",
                           "shape": { "hidden_size": 32, "intermediate_size": 64, "num_layers": 1, "num_heads": 2, "num_kv_heads": 1, "head_dim": 16 } },
              "data": ["train.jsonl"],
              "training": { "steps": {{steps}}, "batch_size": 2, "seq_len": 128, "log_every": 1, "checkpoint_every": 1000, "device": "cpu"{{extraTraining}} }
            }
            """;
        var path = Path.Combine(root, "train.json");
        File.WriteAllText(path, config);
        return path;
    }

    [Fact]
    public void Trains_from_a_config_file_and_prints_where_the_student_is()
    {
        var root = TrainingFixture.TempDir("cli");
        var config = WriteConfig(root, steps: 4);
        var (code, stdout, stderr) = ExternalTools.Run("dotnet", [ExternalTools.CliDll, "distill", "train", "--config", config]);
        Assert.True(code == 0, stderr);
        Assert.Contains(Path.Combine(root, "run", "student"), stdout);
        Assert.True(File.Exists(Path.Combine(root, "run", "student", "model.safetensors")));
        Assert.Contains("step 4/4", stderr);
    }

    [Fact]
    public void A_config_error_names_the_field_and_exits_1()
    {
        var root = TrainingFixture.TempDir("cli-bad");
        var config = WriteConfig(root, steps: 4, extraTraining: ", \"seq_lenn\": 64");
        var (code, _, stderr) = ExternalTools.Run("dotnet", [ExternalTools.CliDll, "distill", "train", "--config", config]);
        Assert.Equal(1, code);
        Assert.Contains("training.seq_lenn: unknown field", stderr);
    }

    [Fact]
    public void Ctrl_C_checkpoints_and_resume_finishes_the_run()
    {
        var root = TrainingFixture.TempDir("cli-int");
        var config = WriteConfig(root, steps: 100000);
        // A test host started as a background job inherits SIGINT as ignored, and .NET keeps an ignored SIGINT
        // ignored; exec through python3 to restore the default disposition, as a terminal would have it.
        var psi = new ProcessStartInfo("python3") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var a in new[] { "-c", "import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_DFL); os.execvp(sys.argv[1], sys.argv[1:])",
                     "dotnet", ExternalTools.CliDll, "distill", "train", "--config", config }) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        try { InterruptAndResume(p, root); }
        finally { if (!p.HasExited) p.Kill(entireProcessTree: true); } // never leave a 100000-step run behind
    }

    static void InterruptAndResume(Process p, string root)
    {
        p.ErrorDataReceived += (_, _) => { };
        p.OutputDataReceived += (_, _) => { };
        p.BeginErrorReadLine();
        p.BeginOutputReadLine();
        var metrics = Path.Combine(root, "run", "metrics.jsonl");
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (!(File.Exists(metrics) && File.ReadAllLines(metrics).Length >= 3) && DateTime.UtcNow < deadline && !p.HasExited) Thread.Sleep(100);
        Assert.False(p.HasExited, "training ended before it could be interrupted");
        Assert.Equal(0, ExternalTools.Run("kill", ["-INT", p.Id.ToString()]).ExitCode);
        Assert.True(p.WaitForExit(TimeSpan.FromMinutes(1)));
        Assert.Equal(130, p.ExitCode);
        var checkpoints = Directory.GetDirectories(Path.Combine(root, "run", "checkpoints"), "step-*");
        var stopped = int.Parse(Path.GetFileName(Assert.Single(checkpoints))["step-".Length..]);
        Assert.True(stopped >= 3);

        // Resume with a shorter target than where it stopped is still a valid finish; give it a few more steps.
        var shorter = WriteConfig(root, steps: stopped + 3);
        var (code, _, stderr) = ExternalTools.Run("dotnet", [ExternalTools.CliDll, "distill", "train", "--config", shorter, "--resume", Path.Combine(root, "run")]);
        Assert.True(code == 0, stderr);
        Assert.Contains($"resumed from", stderr);
        var last = JsonNode.Parse(File.ReadAllLines(metrics)[^1])!;
        Assert.Equal(stopped + 3, last["step"]!.GetValue<int>());
    }
}
