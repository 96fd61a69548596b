using Avocado.Common.Config;
using Avocado.Traces.Config;
using Avocado.Traces.Engine;
using Avocado.Data.Dataset;
using Avocado.Data.Prompts;
using Avocado.Teachers;

namespace Avocado.Cli.Commands;

/// <summary><c>avocado distill generate --config FILE [--resume]</c> (the data engine) and <c>avocado data inspect FILE</c>.</summary>
public static class DistillCommands
{
    public static int Inspect(CommandArgs a)
    {
        var path = a.Positional(0, "dataset file (a .jsonl shard, manifest.json or the dataset directory)");
        var head = a.Int("head") ?? 3;
        try
        {
            Console.Write(DatasetInspector.Format(DatasetInspector.Inspect(path, head)));
            return 0;
        }
        catch (InvalidDataException e)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return 1;
        }
    }

    public static async Task<int> GenerateAsync(CommandArgs a)
    {
        var configPath = a.Required("config");
        var resume = a.Flag("resume");
        using var ctrlC = CtrlC.Listen("[distill] interrupted: stopping; the replies so far are cached, rerun with --resume to continue");
        try
        {
            var config = TraceConfigLoader.Load(configPath);
            var result = await TraceEngine.RunAsync(config, new TraceRunOptions { Resume = resume, Progress = Console.Error }, ctrlC.Token);
            Console.Error.Write(result.Table);
            foreach (var t in result.Teachers.Where(t => t.Failed > 0))
            {
                Console.Error.WriteLine($"[distill] teacher '{t.Name}': {t.Failed} of {t.Requests} requests failed:");
                foreach (var e in t.Errors) Console.Error.WriteLine($"  {e}");
            }
            Console.WriteLine($"wrote {result.Manifest.Records} records in {result.Manifest.Files.Count} {result.Manifest.ShardFormat} shard(s) to {result.OutputDir} "
                              + $"({result.TeacherCalls} teacher calls, {result.Teachers.Sum(t => t.FromCache)} cached replies)");
            if (result.FailedRequests > 0)
            {
                Console.Error.WriteLine($"[distill] {result.FailedRequests} requests failed; the dataset lacks their replies. "
                                        + "Fix the teacher and rerun with --resume (cached replies are not asked again).");
                return 3;
            }
            return 0;
        }
        catch (OperationCanceledException) when (ctrlC.Pressed)
        {
            Console.Error.WriteLine("[distill] stopped; rerun with --resume to continue");
            return CtrlC.ExitCode;
        }
        catch (Exception e) when (e is ConfigException or TraceRunException or PromptFileException or TeacherException)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return 1;
        }
    }
}
