using System.Text.Json;
using System.Text.Json.Serialization;
using Avocado.Data.Verification;

namespace Avocado.Eval;

/// <summary>
/// One model on one skill (or on <see cref="EvalReport.AllSkills"/>, the union of the bench). Every prompt gets the
/// same number of samples, so <see cref="Accuracy"/> is both the mean over answers and the mean over prompts of the
/// fraction of correct samples.
/// </summary>
public sealed record EvalRow
{
    public required string Model { get; init; }
    public required string Skill { get; init; }
    public required int Prompts { get; init; }
    /// <summary>Prompts × samples.</summary>
    public required int Answers { get; init; }
    public required int Correct { get; init; }
    /// <summary>Answers with no answer to extract (counted as wrong).</summary>
    public required int NoAnswer { get; init; }
    /// <summary>Requests that failed (counted as wrong; their errors are in answers.jsonl).</summary>
    public int Failed { get; init; }
    /// <summary><see cref="Correct"/> / <see cref="Answers"/>.</summary>
    public required double Accuracy { get; init; }
    /// <summary>Mean over prompts of <see cref="Eval.PassAtK.Estimate"/>(samples, correct samples, k).</summary>
    public required double PassAtK { get; init; }
    /// <summary>Over the answers that came back (failed requests excluded), as are the latencies.</summary>
    public required double MeanCompletionTokens { get; init; }
    /// <summary>Nearest-rank percentiles of the answers' latencies, queueing and retries included.</summary>
    public required double LatencyP50Ms { get; init; }
    public required double LatencyP95Ms { get; init; }
}

/// <summary>One answer as verified: enough to see why a model lost points (answers.jsonl).</summary>
public sealed record EvalAnswer
{
    public required string Model { get; init; }
    public required string PromptId { get; init; }
    public required string Skill { get; init; }
    public required int Sample { get; init; }
    /// <summary>"correct", "incorrect" or "no_answer".</summary>
    [JsonConverter(typeof(SnakeCaseVerdictConverter))] public required Verdict Verdict { get; init; }
    public string? Extracted { get; init; }
    public string? Reference { get; init; }
    public required int CompletionTokens { get; init; }
    public required double LatencyMs { get; init; }
    public required string FinishReason { get; init; }
    public required string Content { get; init; }
    public string? Reasoning { get; init; }
    /// <summary>Why the request failed (then <see cref="Verdict"/> is no_answer and <see cref="FinishReason"/> "error").</summary>
    public string? Error { get; init; }
}

/// <summary>What <see cref="EvalRunner.RunAsync"/> measured: the settings, and one row per model × skill.</summary>
public sealed record EvalReport
{
    /// <summary>The skill name of the row that covers every prompt.</summary>
    public const string AllSkills = "all";
    /// <summary>The skill of prompts whose bench record names none.</summary>
    public const string UnlabeledSkill = "general";

    /// <summary>In the order given.</summary>
    public required IReadOnlyList<string> Models { get; init; }
    /// <summary>The bench's skills in ordinal order, then <see cref="AllSkills"/>.</summary>
    public required IReadOnlyList<string> Skills { get; init; }
    /// <summary>Where the prompts came from (<see cref="Prompts.PromptItem.Source"/>, first-seen order).</summary>
    public required IReadOnlyList<string> Benches { get; init; }
    public required int Prompts { get; init; }
    public required int Samples { get; init; }
    public required int PassK { get; init; }
    public required double Temperature { get; init; }
    public required int MaxTokens { get; init; }
    public required long Seed { get; init; }
    /// <summary>Model-major, skills in <see cref="Skills"/> order.</summary>
    public required IReadOnlyList<EvalRow> Rows { get; init; }
    /// <summary>Every answer, in job order (prompt, model, sample); written to answers.jsonl, not report.json.</summary>
    [JsonIgnore] public IReadOnlyList<EvalAnswer> Answers { get; init; } = [];

    /// <summary>The answers whose request failed, in job order.</summary>
    [JsonIgnore] public IEnumerable<EvalAnswer> FailedAnswers => Answers.Where(a => a.Error is not null);

    /// <exception cref="KeyNotFoundException">No such model or skill.</exception>
    public EvalRow Row(string model, string skill) =>
        Rows.FirstOrDefault(r => r.Model == model && r.Skill == skill)
        ?? throw new KeyNotFoundException($"the report has no row for model '{model}' on skill '{skill}'");
}

/// <summary>Verdicts as the snake_case strings the rest of the JSON uses.</summary>
internal sealed class SnakeCaseVerdictConverter() : JsonStringEnumConverter<Verdict>(JsonNamingPolicy.SnakeCaseLower);
