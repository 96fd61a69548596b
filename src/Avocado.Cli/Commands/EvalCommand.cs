using Avocado.Eval;
using Avocado.Data.Prompts;

namespace Avocado.Cli.Commands;

/// <summary>
/// <c>avocado eval --model NAME=DIR|URL[#MODEL] … --bench FILE … [--samples K] [--max-tokens N] [--out DIR]</c>:
/// every model answers every bench prompt K times; per-skill accuracy, pass@k, tokens and latency go to
/// report.json, report.md and accuracy.png. The Markdown tables are printed too.
/// </summary>
public static class EvalCommand
{
    public const string DefaultOutDir = "eval-report";

    /// <param name="stdout">The report table and where the files are (default: the console).</param>
    /// <param name="stderr">Progress and errors (default: the console).</param>
    /// <returns>0, or 1 when the eval could not run (the message names the model or file); usage mistakes throw <see cref="UsageException"/>.</returns>
    public static async Task<int> RunAsync(CommandArgs a, TextWriter? stdout = null, TextWriter? stderr = null)
    {
        stdout ??= Console.Out;
        stderr ??= Console.Error;
        var modelArgs = a.Options("model");
        var benches = a.Options("bench");
        var options = new EvalOptions
        {
            Samples = a.Int("samples") ?? 1,
            PassK = a.Int("pass-k"),
            Temperature = a.Double("temperature"),
            MaxTokens = a.Int("max-tokens") ?? new EvalOptions().MaxTokens,
            Seed = a.Int("seed") ?? 0,
            Concurrency = a.Int("concurrency") ?? new EvalOptions().Concurrency,
            EnableThinking = (a.Option("thinking") ?? "on") switch
            {
                "on" => true,
                "off" => false,
                var t => throw new UsageException($"--thinking expects on or off, got '{t}'"),
            },
            Progress = stderr,
        };
        var outDir = a.Option("out") ?? DefaultOutDir;
        if (modelArgs.Count == 0) throw new UsageException($"give at least one --model {EvalModelSpec.Syntax}");
        if (benches.Count == 0) throw new UsageException("give at least one --bench FILE (JSONL, GSM8K or MATH layout)");
        try
        {
            options.Validate();
        }
        catch (ArgumentException e)
        {
            throw new UsageException(e.Message);
        }
        List<EvalModelSpec> specs;
        try
        {
            specs = modelArgs.Select(EvalModelSpec.Parse).ToList();
        }
        catch (EvalException e)
        {
            throw new UsageException(e.Message);
        }

        using var ctrlC = CtrlC.Listen("[eval] interrupted: stopping (no report is written)");
        try
        {
            foreach (var bench in benches.Where(b => !File.Exists(b)))
                throw new EvalException($"bench file '{bench}' not found (give a JSONL, GSM8K or MATH file)");
            // Prompts before models: a bad bench line should not wait for a checkpoint to load.
            var prompts = PromptReader.ReadFiles(benches);
            stderr.WriteLine($"[eval] {prompts.Count} prompts from {benches.Count} bench file(s); loading {specs.Count} model(s)");
            using var models = await EvalModelLoader.LoadAsync(specs, new EvalModelLoadOptions { Concurrency = options.Concurrency }, ctrlC.Token);
            var report = await EvalRunner.RunAsync(models.Models, prompts, options, ctrlC.Token);
            var files = EvalReportWriter.Write(report, outDir);
            stdout.Write(EvalMarkdown.Format(report));
            stdout.WriteLine($"wrote {files.Json}, {files.Markdown}, {files.Chart} and {files.Answers}");
            return ReportFailures(report, stderr);
        }
        catch (OperationCanceledException) when (ctrlC.Pressed)
        {
            stderr.WriteLine("[eval] stopped");
            return CtrlC.ExitCode;
        }
        catch (Exception e) when (e is EvalException or PromptFileException)
        {
            stderr.WriteLine($"error: {e.Message}");
            return 1;
        }
    }

    /// <summary>Failed requests are in the report and count as wrong; a model none of whose requests came back makes
    /// the run fail (exit 1) — its row measures the error, not the model.</summary>
    static int ReportFailures(EvalReport report, TextWriter stderr)
    {
        var failed = report.FailedAnswers.ToList();
        if (failed.Count == 0) return 0;
        stderr.WriteLine($"[eval] warning: {failed.Count} of {report.Answers.Count} requests failed and count as wrong answers (errors in answers.jsonl)");
        int perModel = report.Prompts * report.Samples;
        var dead = failed.GroupBy(a => a.Model).Where(g => g.Count() == perModel).ToList();
        foreach (var g in dead) stderr.WriteLine($"error: every request to model '{g.Key}' failed; first: {g.First().Error}");
        return dead.Count > 0 ? 1 : 0;
    }
}
