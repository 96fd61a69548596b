using Avocado.Common.Config;
using Avocado.Traces.Config;
using Avocado.Training;

namespace Avocado.Cli.Commands;

/// <summary><c>avocado distill train --config FILE [--resume RUN_DIR]</c>: trains the student; Ctrl-C checkpoints and stops.</summary>
public static class TrainCommand
{
    public static int Run(CommandArgs a)
    {
        var configPath = a.Required("config");
        var resumeDir = a.Option("resume");
        var threads = a.Int("threads");
        if (threads is { } n) TorchSharp.torch.set_num_threads(n);
        using var ctrlC = CtrlC.Listen("[train] interrupted: checkpointing at the end of this step…");
        try
        {
            var config = TrainConfigLoader.Load(configPath);
            if (resumeDir is not null)
            {
                var dir = Path.GetFullPath(resumeDir);
                if (!Directory.Exists(dir)) throw new ConfigException($"--resume {resumeDir}: no such run directory");
                bool defaultOutput = config.OutputDir == Path.Combine(config.RunDir, "student");
                config = config with { RunDir = dir, OutputDir = defaultOutput ? Path.Combine(dir, "student") : config.OutputDir };
            }
            using var trainer = new Trainer(config, Console.Error);
            var result = trainer.Run(resume: resumeDir is not null, ctrlC.Token);
            if (!result.Completed) return CtrlC.ExitCode;
            Console.WriteLine($"trained {result.Steps} steps; student: {result.StudentDir}; run: {result.RunDir} (metrics.jsonl, plots/)");
            return 0;
        }
        catch (Exception e) when (e is ConfigException or InvalidDataException or InvalidOperationException or FileNotFoundException)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return 1;
        }
    }
}
