using Avocado.Data.Prompts;
using Avocado.Data.Verification;
using Avocado.Teachers;

namespace Avocado.Eval;

/// <summary>
/// Asks every model every bench prompt <see cref="EvalOptions.Samples"/> times, verifies each answer against the
/// prompt's reference (<see cref="AnswerVerifier"/>), and aggregates per model × skill. Answers land in their job's
/// slot and are aggregated in job order, so the report depends only on the answers, never on completion order; with
/// fixed seeds (sample s uses Seed + s) a rerun asks exactly the same requests. A request that fails (an endpoint
/// error, a model error) is recorded as a failed answer with its error, counts as wrong — the denominator stays the
/// whole bench, so a score never silently shrinks to the prompts that worked — and the run goes on.
/// </summary>
public static class EvalRunner
{
    public static async Task<EvalReport> RunAsync(IReadOnlyList<EvalModel> models, IReadOnlyList<PromptItem> prompts,
        EvalOptions? options = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(models);
        ArgumentNullException.ThrowIfNull(prompts);
        options ??= new EvalOptions();
        options.Validate();
        CheckInputs(models, prompts);

        int samples = options.Samples;
        var sampling = new TeacherSampling
        {
            Temperature = options.EffectiveTemperature,
            TopP = options.TopP,
            MaxTokens = options.MaxTokens,
            Seed = options.Seed,
        };
        // Job j = (prompt, model, sample) in that nesting: neighbouring jobs hit different models, which keeps every
        // model busy, and an in-process model gets a prompt's samples together to batch.
        int perPrompt = models.Count * samples, total = prompts.Count * perPrompt;
        var answers = new EvalAnswer[total];
        var progress = new EvalProgress(models.Select(m => m.Name).ToList(), total, options.Progress, options.Time, options.ProgressInterval);

        TeacherRequest RequestFor(int j) =>
            new() { Messages = prompts[j / perPrompt].Messages, Sampling = sampling, SampleIndex = j % samples, EnableThinking = options.EnableThinking };

        void Record(int j, TeacherReply? reply, Exception? error, long started)
        {
            int p = j / perPrompt, m = j % perPrompt / samples, s = j % samples;
            var prompt = prompts[p];
            if (reply is null)
            {
                answers[j] = new EvalAnswer
                {
                    Model = models[m].Name, PromptId = prompt.Id, Skill = SkillOf(prompt), Sample = s, Verdict = Verdict.NoAnswer,
                    CompletionTokens = 0, LatencyMs = options.Time.GetElapsedTime(started).TotalMilliseconds, FinishReason = "error", Content = "",
                    Error = $"model '{models[m].Name}' failed on bench prompt '{prompt.Id}' ({prompt.Source}, sample {s}): {error!.Message}",
                };
                progress.Finished(m, isCorrect: false);
                return;
            }
            var verdict = AnswerVerifier.Default.Verify(reply.Content, reply.Reasoning, prompt.ReferenceAnswer);
            answers[j] = new EvalAnswer
            {
                Model = models[m].Name, PromptId = prompt.Id, Skill = SkillOf(prompt), Sample = s,
                Verdict = verdict.Verdict, Extracted = verdict.ExtractedAnswer, Reference = verdict.Reference,
                CompletionTokens = reply.CompletionTokens, LatencyMs = reply.Latency.TotalMilliseconds,
                FinishReason = reply.FinishReason.ToString().ToLowerInvariant(), Content = reply.Content, Reasoning = reply.Reasoning,
            };
            progress.Finished(m, verdict.IsCorrect);
        }

        // A unit of work is one job, or for a teacher that batches (in-process) a fixed chunk of its jobs in job order:
        // a chunk runs as a batch of its own, so the report is the same whatever finishes first (see IBatchTeacher).
        async ValueTask RunAsync(int[] chunk, CancellationToken token)
        {
            var teacher = models[chunk[0] % perPrompt / samples].Teacher;
            long started = options.Time.GetTimestamp();
            IReadOnlyList<Task<TeacherReply>> replies;
            try
            {
                replies = teacher is IBatchTeacher batch
                    ? batch.GenerateTogether([.. chunk.Select(RequestFor)], token)
                    : [teacher.GenerateAsync(RequestFor(chunk[0]), token)];
            }
            catch (Exception e) when (e is not OperationCanceledException || !token.IsCancellationRequested)
            {
                replies = [.. chunk.Select(_ => Task.FromException<TeacherReply>(e))];
            }
            for (int i = 0; i < chunk.Length; i++)
            {
                try
                {
                    Record(chunk[i], await replies[i].ConfigureAwait(false), null, started);
                }
                catch (Exception e) when (e is not OperationCanceledException || !token.IsCancellationRequested)
                {
                    Record(chunk[i], null, e, started);
                }
            }
        }

        var work = FixedGroups.Plan([.. Enumerable.Range(0, total).Select(j => j % perPrompt / samples)],
            [.. models.Select(m => (m.Teacher as IBatchTeacher)?.MaxBatch)]);
        await Parallel.ForEachAsync(work, new ParallelOptions { MaxDegreeOfParallelism = options.Concurrency, CancellationToken = ct }, RunAsync)
            .ConfigureAwait(false);

        return Aggregate(models, prompts, options, answers);
    }

    /// <summary>The skill a prompt is scored under.</summary>
    public static string SkillOf(PromptItem prompt) => string.IsNullOrWhiteSpace(prompt.Skill) ? EvalReport.UnlabeledSkill : prompt.Skill;

    static void CheckInputs(IReadOnlyList<EvalModel> models, IReadOnlyList<PromptItem> prompts)
    {
        if (models.Count == 0) throw new EvalException("no models to evaluate; give at least one");
        if (prompts.Count == 0) throw new EvalException("the bench holds no prompts");
        if (models.GroupBy(m => m.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1) is { } twice)
            throw new EvalException($"model name '{twice.Key}' is given twice; names label the report's rows, so give each model its own");
        // Without a reference an answer cannot be scored; silently skipping it would change what "accuracy" means.
        if (prompts.FirstOrDefault(p => AnswerVerifier.ReferenceAnswer(p.ReferenceAnswer) is null) is { } bare)
            throw new EvalException($"bench prompt '{bare.Id}' ({bare.Source}) has no reference answer; every eval prompt needs one "
                                    + "(\"reference\"/\"answer\" in JSONL, \"#### x\" in GSM8K, \\boxed{{x}} or \"answer\" in MATH)");
        if (prompts.FirstOrDefault(p => SkillOf(p) == EvalReport.AllSkills) is { } clash)
            throw new EvalException($"bench prompt '{clash.Id}' ({clash.Source}) has skill \"{EvalReport.AllSkills}\", which names the union row; rename the skill");
    }

    static EvalReport Aggregate(IReadOnlyList<EvalModel> models, IReadOnlyList<PromptItem> prompts, EvalOptions options, EvalAnswer[] answers)
    {
        int samples = options.Samples, k = options.EffectivePassK;
        var skills = prompts.Select(SkillOf).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).Append(EvalReport.AllSkills).ToList();
        var rows = new List<EvalRow>();
        for (int m = 0; m < models.Count; m++)
        {
            // The answers of model m to prompt p are answers[(p * models + m) * samples + s].
            var perPrompt = Enumerable.Range(0, prompts.Count)
                .Select(p => answers.AsSpan((p * models.Count + m) * samples, samples).ToArray()).ToList();
            foreach (var skill in skills)
            {
                var group = perPrompt.Where((_, p) => skill == EvalReport.AllSkills || SkillOf(prompts[p]) == skill).ToList();
                rows.Add(Row(models[m].Name, skill, group, k));
            }
        }
        return new EvalReport
        {
            Models = models.Select(m => m.Name).ToList(),
            Skills = skills,
            Benches = prompts.Select(p => p.Source).Distinct(StringComparer.Ordinal).ToList(),
            Prompts = prompts.Count,
            Samples = samples,
            PassK = k,
            Temperature = options.EffectiveTemperature,
            MaxTokens = options.MaxTokens,
            Seed = options.Seed,
            Rows = rows,
            Answers = answers,
        };
    }

    static EvalRow Row(string model, string skill, List<EvalAnswer[]> prompts, int k)
    {
        var all = prompts.SelectMany(a => a).ToList();
        int correct = all.Count(a => a.Verdict == Verdict.Correct);
        // Costs are those of the answers that came back: a failed request has neither tokens nor a meaningful latency.
        var answered = all.Where(a => a.Error is null).ToList();
        var latencies = answered.Select(a => a.LatencyMs).Order().ToList();
        return new EvalRow
        {
            Model = model,
            Skill = skill,
            Prompts = prompts.Count,
            Answers = all.Count,
            Correct = correct,
            NoAnswer = all.Count(a => a.Verdict == Verdict.NoAnswer && a.Error is null),
            Failed = all.Count - answered.Count,
            Accuracy = (double)correct / all.Count,
            PassAtK = prompts.Average(a => PassAtK.Estimate(a.Length, a.Count(x => x.Verdict == Verdict.Correct), k)),
            MeanCompletionTokens = answered.Count > 0 ? answered.Average(a => a.CompletionTokens) : 0,
            LatencyP50Ms = latencies.Count > 0 ? Percentile(latencies, 0.50) : 0,
            LatencyP95Ms = latencies.Count > 0 ? Percentile(latencies, 0.95) : 0,
        };
    }

    /// <summary>Nearest rank: the smallest value with at least q of the values at or below it.</summary>
    internal static double Percentile(IReadOnlyList<double> sorted, double q) =>
        sorted[Math.Clamp((int)Math.Ceiling(q * sorted.Count) - 1, 0, sorted.Count - 1)];
}
