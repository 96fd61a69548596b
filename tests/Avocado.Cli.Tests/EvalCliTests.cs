using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Avocado.Cli;
using Avocado.Cli.Commands;
using Avocado.Eval;
using Avocado.Data.Prompts;

namespace Avocado.Cli.Tests;

/// <summary><c>avocado eval</c> as a user runs it: tiny in-process checkpoints end to end, and every error naming
/// what is wrong.</summary>
[Collection(TinyTeachersCollection.Name)]
public sealed class EvalCliTests(TinyTeachers tiny)
{
    static async Task<(int Code, string Stdout, string Stderr)> Eval(params string[] args)
    {
        var (stdout, stderr) = (new StringWriter(), new StringWriter());
        int code = await Cli.RunAsync(["eval", .. args], stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    static (string Gsm8k, string Math) WriteBenches(string dir)
    {
        var gsm = Path.Combine(dir, "gsm8k.jsonl");
        File.WriteAllLines(gsm, RunFiles.Gsm8kLines.Take(2));
        var math = Path.Combine(dir, "math.jsonl");
        File.WriteAllLines(math,
        [
            """{"problem": "What is $1+1$?", "solution": "$\\boxed{2}$", "level": "Level 1", "type": "Prealgebra"}""",
            """{"problem": "Name the capital of France.", "answer": "Paris", "type": "Geography", "skill": "trivia"}""",
        ]);
        return (gsm, math);
    }

    [Fact]
    public void Tiny_checkpoints_run_end_to_end_through_the_cli()
    {
        using var dir = new TempDir();
        var (gsm, math) = WriteBenches(dir.Path);
        var outDir = Path.Combine(dir.Path, "report");
        var (code, stdout, stderr) = ExternalTools.Run("dotnet",
        [
            ExternalTools.CliDll, "eval", "--model", $"qwen={tiny.Qwen3Dir}", "--model", $"gemma={tiny.Gemma3Dir}",
            "--bench", gsm, "--bench", math, "--samples", "2", "--max-tokens", "6", "--concurrency", "2", "--out", outDir,
        ]);
        Assert.True(code == 0, stderr);
        Assert.Contains("| model | math | trivia | all |", stdout);
        Assert.Contains("| qwen |", stdout);
        Assert.Contains($"wrote {Path.Combine(outDir, "report.json")}", stdout);
        Assert.Contains("[eval] 16/16 (100%)", stderr);

        var report = EvalReportWriter.Read(Path.Combine(outDir, "report.json"));
        Assert.Equal(["qwen", "gemma"], report.Models);
        Assert.Equal((4, 2, 2, 0.7), (report.Prompts, report.Samples, report.PassK, report.Temperature));
        Assert.Equal(2 * 3, report.Rows.Count);
        foreach (var row in report.Rows)
        {
            Assert.Equal(row.Prompts * 2, row.Answers);
            Assert.InRange(row.MeanCompletionTokens, 1, 6);
            Assert.InRange(row.Accuracy, 0, 1);
            Assert.True(row.LatencyP95Ms >= row.LatencyP50Ms && row.LatencyP50Ms > 0);
        }
        Assert.Equal(4, report.Row("gemma", "all").Prompts);
        Assert.Equal(3, report.Row("gemma", "math").Prompts);
        Assert.Equal(16, File.ReadLines(Path.Combine(outDir, "answers.jsonl")).Count());
        Assert.Contains("| model | math | trivia | all |", File.ReadAllText(Path.Combine(outDir, "report.md")));
        Assert.Equal(800, PngReference.Decode(Path.Combine(outDir, "accuracy.png")).Width);
    }

    [Fact]
    public async Task In_process_answers_repeat_exactly_and_differ_between_sample_seeds()
    {
        using var dir = new TempDir();
        var (gsm, math) = WriteBenches(dir.Path);
        var prompts = PromptReader.ReadFiles([gsm, math]);
        async Task<List<string>> Answers()
        {
            // One request at a time: batching changes float rounding, so only unbatched runs are bit-exact.
            using var models = await EvalModelLoader.LoadAsync([EvalModelSpec.Parse($"qwen={tiny.Qwen3Dir}")], new EvalModelLoadOptions { Concurrency = 1 });
            var report = await EvalRunner.RunAsync(models.Models, prompts, new EvalOptions { Samples = 2, MaxTokens = 6, Concurrency = 1, Seed = 3 });
            return report.Answers.Select(a => a.Content).ToList();
        }
        var first = await Answers();
        Assert.Equal(first, await Answers());
        Assert.Contains(Enumerable.Range(0, prompts.Count), p => first[2 * p] != first[2 * p + 1]);
    }

    [Fact]
    public async Task Usage_mistakes_are_usage_errors()
    {
        using var dir = new TempDir();
        var (gsm, _) = WriteBenches(dir.Path);
        async Task<string> Usage(params string[] args)
        {
            var (code, _, stderr) = await Eval(args);
            Assert.Equal(2, code);
            Assert.Contains("run './avocado eval --help' for usage", stderr);
            return stderr;
        }

        Assert.Contains("expected NAME=DIR or NAME=URL[#MODEL]", await Usage("--model", "qwen", "--bench", gsm));
        Assert.Contains("give at least one --model", await Usage("--bench", gsm));
        Assert.Contains("give at least one --bench", await Usage("--model", $"q={tiny.Qwen3Dir}"));
        Assert.Contains("samples must be ≥ 1", await Usage("--model", $"q={tiny.Qwen3Dir}", "--bench", gsm, "--samples", "0"));
        Assert.Contains("--samples expects an integer", await Usage("--model", $"q={tiny.Qwen3Dir}", "--bench", gsm, "--samples", "two"));
        Assert.Contains("Unrecognized command or argument '--sample'", await Usage("--model", $"q={tiny.Qwen3Dir}", "--bench", gsm, "--sample", "2"));
        Assert.Contains("'--out' expects a single argument but 2 were provided", await Usage("--model", $"q={tiny.Qwen3Dir}", "--bench", gsm, "--out", "a", "--out", "b"));
    }

    [Fact]
    public async Task Errors_name_the_file_or_the_model()
    {
        using var dir = new TempDir();
        var (gsm, _) = WriteBenches(dir.Path);
        var missing = Path.Combine(dir.Path, "nope.jsonl");

        var (code, _, stderr) = await Eval("--model", $"q={tiny.Qwen3Dir}", "--bench", missing);
        Assert.Equal((1, $"error: bench file '{missing}' not found (give a JSONL, GSM8K or MATH file)"), (code, stderr.Trim()));

        (code, _, stderr) = await Eval("--model", $"ghost={Path.Combine(dir.Path, "no-such-dir")}", "--bench", gsm);
        Assert.Equal(1, code);
        Assert.Contains("model 'ghost': checkpoint directory", stderr);

        (code, _, stderr) = await Eval("--model", $"empty={dir.Path}", "--bench", gsm);
        Assert.Equal(1, code);
        Assert.Contains("model 'empty':", stderr);
        Assert.Contains("holds no config.json", stderr);

        (code, _, stderr) = await Eval("--model", $"q={tiny.Qwen3Dir}", "--model", $"q={tiny.Gemma3Dir}", "--bench", gsm);
        Assert.Equal(1, code);
        Assert.Contains("model name 'q' is given twice", stderr);

        var bad = Path.Combine(dir.Path, "bad.jsonl");
        File.WriteAllLines(bad, ["""{"id": "x", "prompt": "hello", "reference": "1"}""", "{not json"]);
        (code, _, stderr) = await Eval("--model", $"q={tiny.Qwen3Dir}", "--bench", bad);
        Assert.Equal(1, code);
        Assert.Contains($"{bad} line 2: not valid JSON", stderr);

        // Past the context (the tiny model has 512 positions): every request fails; the report records each failure
        // and the run fails, since that row would measure the error, not the model.
        var failedOut = Path.Combine(dir.Path, "o");
        (code, _, stderr) = await Eval("--model", $"q={tiny.Qwen3Dir}", "--bench", gsm, "--max-tokens", "600", "--out", failedOut);
        Assert.Equal(1, code);
        Assert.Contains("every request to model 'q' failed; first: model 'q' failed on bench prompt", stderr);
        Assert.Contains("MaxTokens is 600", stderr);
        var answers = File.ReadAllLines(Path.Combine(failedOut, "answers.jsonl"));
        Assert.NotEmpty(answers);
        Assert.All(answers, line => Assert.Contains("MaxTokens is 600", line));
    }

    [Fact]
    public async Task An_unreachable_endpoint_is_named_before_any_question()
    {
        using var dir = new TempDir();
        var (gsm, _) = WriteBenches(dir.Path);
        // A port that was just free: nothing listens there, so the connection is refused at once.
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var started = DateTime.UtcNow;
        var (code, _, stderr) = await Eval("--model", $"q={tiny.Qwen3Dir}", "--model", $"remote=http://127.0.0.1:{port}/v1#served", "--bench", gsm,
            "--out", Path.Combine(dir.Path, "o"));
        Assert.Equal(1, code);
        Assert.Contains($"model 'remote': cannot reach http://127.0.0.1:{port}/v1", stderr);
        Assert.Contains("is the server up", stderr);
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(20), "an unreachable endpoint must fail fast, not after the teacher's retries");
        Assert.False(Directory.Exists(Path.Combine(dir.Path, "o")));
    }
}
