using System.Globalization;
using System.Text;

namespace Avocado.Eval;

/// <summary>
/// The report as Markdown: the settings, then one table per metric with models as rows and skills (and "all") as
/// columns. In the accuracy and pass@k tables the best model of each skill is in bold (all of them on a tie, none when
/// every model scores the same); tokens and latency are costs, not scores, so they carry no bold.
/// </summary>
public static class EvalMarkdown
{
    public static string Format(EvalReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var b = new StringBuilder();
        b.AppendLine("# Evaluation report").AppendLine();
        b.AppendLine(Invariant($"Bench: {string.Join(", ", report.Benches.Select(s => $"`{s}`"))} — {report.Prompts} prompts, {report.Samples} sample(s) per prompt, temperature {report.Temperature:0.###}, max {report.MaxTokens} tokens, seed {report.Seed}."));
        b.AppendLine();
        b.AppendLine("Prompts per skill: " + string.Join(", ", report.Skills.Select(s =>
            Invariant($"{s} {report.Row(report.Models[0], s).Prompts}")))).AppendLine();
        Failures(b, report);

        Table(b, "Accuracy (mean over all samples)", report, r => r.Accuracy, Percent, bold: true);
        Table(b, Invariant($"pass@{report.PassK} (unbiased estimator, n = {report.Samples})"), report, r => r.PassAtK, Percent, bold: true);
        Table(b, "Completion tokens per answer (mean)", report, r => r.MeanCompletionTokens, v => v.ToString("0.#", CultureInfo.InvariantCulture), bold: false);
        Table(b, "Latency per answer (p50 / p95)", report, r => r.LatencyP50Ms, null, bold: false,
            cell: r => $"{Millis(r.LatencyP50Ms)} / {Millis(r.LatencyP95Ms)}");
        Table(b, "No answer found (of all answers)", report, r => (double)r.NoAnswer / r.Answers, Percent, bold: false);
        return b.ToString();
    }

    static void Table(StringBuilder b, string title, EvalReport report, Func<EvalRow, double> value, Func<double, string>? format, bool bold,
        Func<EvalRow, string>? cell = null)
    {
        b.AppendLine("## " + title).AppendLine();
        b.AppendLine("| model | " + string.Join(" | ", report.Skills) + " |");
        b.AppendLine("|---|" + string.Concat(report.Skills.Select(_ => "---:|")));
        // The best value per skill, rounded so that equal scores summed in another order still tie.
        var best = report.Skills.ToDictionary(s => s, s => report.Models.Select(m => Round(value(report.Row(m, s)))).Max());
        var allTie = report.Skills.ToDictionary(s => s, s => report.Models.All(m => Round(value(report.Row(m, s))) == best[s]));
        foreach (var model in report.Models)
        {
            var cells = report.Skills.Select(s =>
            {
                var row = report.Row(model, s);
                var text = cell?.Invoke(row) ?? format!(value(row));
                return bold && !allTie[s] && Round(value(row)) == best[s] ? $"**{text}**" : text;
            });
            b.AppendLine($"| {model} | {string.Join(" | ", cells)} |");
        }
        b.AppendLine();
    }

    /// <summary>Failed requests count as wrong answers; say so before any score, with each model's count and first error.</summary>
    static void Failures(StringBuilder b, EvalReport report)
    {
        var failed = report.FailedAnswers.ToList();
        if (failed.Count == 0) return;
        int total = report.Models.Count * report.Prompts * report.Samples;
        b.AppendLine(Invariant($"**{failed.Count} of {total} requests failed** and count as wrong answers (every error is in answers.jsonl):")).AppendLine();
        foreach (var group in failed.GroupBy(a => a.Model))
            b.AppendLine(Invariant($"- {group.Key}: {group.Count()} failed; first: {group.First().Error}"));
        b.AppendLine();
    }

    static double Round(double v) => Math.Round(v, 9);

    static string Percent(double v) => (100 * v).ToString("0.0", CultureInfo.InvariantCulture) + "%";

    static string Millis(double ms) => ms >= 1000 ? (ms / 1000).ToString("0.00", CultureInfo.InvariantCulture) + " s"
        : ms.ToString("0", CultureInfo.InvariantCulture) + " ms";

    static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
