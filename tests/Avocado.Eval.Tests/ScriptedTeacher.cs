using System.Collections.Concurrent;
using Avocado.Eval;
using Avocado.Teachers;

namespace Avocado.Eval.Tests;

/// <summary>
/// A teacher with known answers: for each question (the last message's text) the first <c>CorrectSamples</c>
/// samples say "The answer is {Right}.", the rest "The answer is {Wrong}." — or, with Wrong null, something with no
/// answer in it. Sample s uses <c>TokenBase + s</c> completion tokens and takes <c>LatencyUnitMs · (s + 1)</c>.
/// Every request is recorded, so tests can check the sampling the runner asked for.
/// </summary>
public sealed class ScriptedTeacher(string name, IReadOnlyDictionary<string, ScriptedTeacher.Script> scripts, int tokenBase = 10,
    double latencyUnitMs = 100, string? failOn = null) : ITeacher
{
    public sealed record Script(string Right, string? Wrong, int CorrectSamples);

    public ConcurrentQueue<TeacherRequest> Requests { get; } = new();
    public string Name => name;
    public string Family => TeacherFamilies.Qwen3;
    public string Revision => "scripted-1";
    public string License => "Apache-2.0";

    public async Task<TeacherReply> GenerateAsync(TeacherRequest request, CancellationToken ct)
    {
        Requests.Enqueue(request);
        await Task.Yield(); // finish out of order under concurrency, as real teachers do
        var question = request.Messages[^1].Content ?? "";
        if (failOn is not null && question.Contains(failOn, StringComparison.Ordinal))
            throw new TeacherUnavailableException(name, $"teacher '{name}' is unavailable: connection refused (scripted)", [], 1, null, null);
        var script = scripts[question];
        var content = request.SampleIndex < script.CorrectSamples ? $"The answer is {script.Right}."
            : script.Wrong is { } wrong ? $"The answer is {wrong}." : "I am not sure.";
        return new TeacherReply
        {
            Content = content, Text = content, Reasoning = "thinking it over",
            CompletionTokens = tokenBase + request.SampleIndex,
            Latency = TimeSpan.FromMilliseconds(latencyUnitMs * (request.SampleIndex + 1)),
            PromptHash = "h", Teacher = name, Revision = Revision, License = License,
        };
    }

    public static EvalModel Model(ScriptedTeacher teacher) => new(teacher.Name, teacher);
}

/// <summary>A small two-skill bench with hand-countable results (see <see cref="EvalRunnerTests"/>).</summary>
public static class Bench
{
    public static readonly (string Id, string Skill, string Question, string Reference)[] Items =
    [
        ("m1", "math", "What is 2+3?", "5"),
        ("m2", "math", "What is 10-4?", "6"),
        ("m3", "math", "What is 3*3?", "9"),
        ("m4", "math", "What is 8/2?", "4"),
        ("t1", "trivia", "How many legs does a spider have?", "8"),
        ("t2", "trivia", "How many days are in a week?", "7"),
    ];

    /// <summary>Correct samples out of 3 for the "mixed" model; m3 never answers at all.</summary>
    public static readonly Dictionary<string, int> MixedCorrect = new() { ["m1"] = 3, ["m2"] = 1, ["m3"] = 0, ["m4"] = 2, ["t1"] = 0, ["t2"] = 3 };

    public static string WriteJsonl(string dir, string name = "bench.jsonl")
    {
        var path = Path.Combine(dir, name);
        File.WriteAllLines(path, Items.Select(i =>
            $$"""{"id": "{{i.Id}}", "prompt": "{{i.Question}}", "reference": "{{i.Reference}}", "skill": "{{i.Skill}}"}"""));
        return path;
    }

    public static ScriptedTeacher Oracle(string failOn = "") => new("oracle",
        Items.ToDictionary(i => i.Question, i => new ScriptedTeacher.Script(i.Reference, "0", 3)), tokenBase: 10, latencyUnitMs: 100,
        failOn: failOn.Length == 0 ? null : failOn);

    public static ScriptedTeacher Mixed() => new("mixed",
        Items.ToDictionary(i => i.Question, i => new ScriptedTeacher.Script(i.Reference, i.Id == "m3" ? null : "1000", MixedCorrect[i.Id])),
        tokenBase: 20, latencyUnitMs: 200);
}
