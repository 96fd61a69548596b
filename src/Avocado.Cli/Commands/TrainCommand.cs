using Avocado.Distill.Config;
using Avocado.Distill.Training;

namespace Avocado.Cli.Commands;

/// <summary><c>avocado distill train --config FILE [--resume RUN_DIR]</c>: trains the student; Ctrl-C checkpoints and stops.</summary>
public static class TrainCommand
{
    public static int Run(CliArgs a)
    {
        var configPath = a.Required("config");
        var resumeDir = a.Option("resume");
        var threads = a.Int("threads");
        a.EnsureAllUsed(0);
        if (threads is { } n) TorchSharp.torch.set_num_threads(n);
        using var cts = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) =>
        {
            e.Cancel = true;
            Console.Error.WriteLine("\n[train] interrupted: checkpointing at the end of this step…");
            cts.Cancel();
        };
        Console.CancelKeyPress += onCancel;
        try
        {
            var config = TrainConfigLoader.Load(configPath);
            if (resumeDir is not null)
            {
                var dir = Path.GetFullPath(resumeDir);
                if (!Directory.Exists(dir)) throw new DistillConfigException($"--resume {resumeDir}: no such run directory");
                bool defaultOutput = config.OutputDir == Path.Combine(config.RunDir, "student");
                config = config with { RunDir = dir, OutputDir = defaultOutput ? Path.Combine(dir, "student") : config.OutputDir };
            }
            using var trainer = new Trainer(config, Console.Error);
            var result = trainer.Run(resume: resumeDir is not null, cts.Token);
            if (!result.Completed) return 130;
            Console.WriteLine($"trained {result.Steps} steps; student: {result.StudentDir}; run: {result.RunDir} (metrics.jsonl, plots/)");
            return 0;
        }
        catch (Exception e) when (e is DistillConfigException or InvalidDataException or InvalidOperationException or FileNotFoundException)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return 1;
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
    }
}
