using System.Text.Json;
using Avocado.Traces.Config;
using Avocado.Traces.Decontamination;
using Avocado.Data.Dataset;
using Avocado.Data.Prompts;
using Avocado.Traces.Selection;
using Avocado.Data.Verification;
using Avocado.Teachers;

namespace Avocado.Traces.Engine;

/// <summary>A run that cannot start or finish as asked (an output directory that holds another run, no prompts left).</summary>
public sealed class TraceRunException(string message) : Exception(message);

/// <summary>How a run reports and which teachers it uses; the defaults suit the CLI.</summary>
public sealed record TraceRunOptions
{
    /// <summary>Continue a run in an output directory that already holds one (its cached replies are reused).</summary>
    public bool Resume { get; init; }
    /// <summary>Progress lines and the final table (stderr in the CLI); null: silent.</summary>
    public TextWriter? Progress { get; init; }
    public TimeSpan ProgressInterval { get; init; } = TimeSpan.FromSeconds(0.5);
    public TimeProvider Time { get; init; } = TimeProvider.System;
    /// <summary>Builds each teacher (default <see cref="TeacherFactory.Create"/>); the engine caches and disposes it.</summary>
    public Func<TeacherConfig, ITeacher>? CreateTeacher { get; init; }
    /// <summary>Called after each finished request with the number finished so far (tests cancel a run midway with it).</summary>
    public Action<int>? RequestFinished { get; init; }
}

/// <summary>What a run did: the manifest it wrote and per-teacher counts.</summary>
public sealed record TraceRunResult(string OutputDir, DatasetManifest Manifest, IReadOnlyList<TeacherRunStats> Teachers, string Table)
{
    /// <summary>Requests that reached a teacher (not served from the response cache).</summary>
    public long TeacherCalls => Teachers.Sum(t => t.TeacherCalls);
    public int FailedRequests => Teachers.Sum(t => t.Failed);
}

/// <summary>
/// The data engine: prompts → decontamination → every prompt × teacher × sample through a <see cref="CachedTeacher"/>
/// (an append-log cache under <c>output_dir/teacher-cache</c>, so a re-run makes no teacher calls and a killed run loses
/// only the requests in flight; at most <c>concurrency</c> teacher calls in flight, over all teachers) → verification → selection → shards, manifest and dataset card. The output depends only on the
/// config and the replies, never on completion order, so a resumed run writes what an uninterrupted one would.
/// A teacher that fails (cannot load, endpoint down) is reported and the run goes on with the others.
/// </summary>
public static class TraceEngine
{
    public const string CacheDir = "teacher-cache";

    /// <summary>Workers per request slot. Besides the teacher call a worker looks the request up in the cache, stores
    /// the reply, verifies and counts it; only the call holds a slot (<see cref="SlotLimitedTeacher"/>), and a second
    /// worker per slot has its next request ready when a slot frees, so that bookkeeping never leaves a slot idle. (At
    /// 20 ms replies, once cache writes were cheap, this was within the benchmark's noise: docs/BENCHMARKS.md.)</summary>
    const int WorkersPerSlot = 2;

    public static async Task<TraceRunResult> RunAsync(TraceConfig config, TraceRunOptions? options, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(config);
        options ??= new TraceRunOptions();
        var outputDir = config.OutputDir;
        var log = options.Progress;
        if (!options.Resume && Directory.Exists(outputDir) && Directory.EnumerateFileSystemEntries(outputDir).Any())
            throw new TraceRunException($"output_dir '{outputDir}' already holds files; pass --resume to continue that run "
                                          + "(cached replies are reused), or choose an empty output_dir");
        Directory.CreateDirectory(outputDir);

        var prompts = ReadPrompts(config, log);
        var decontaminated = Decontaminate(config, prompts, outputDir, log);
        prompts = decontaminated.Kept;
        if (prompts.Count == 0) throw new TraceRunException("no prompts left to send (every prompt set is empty or decontaminated away)");

        // Appended, not one file per reply: creating a file costs more kernel time than the engine's whole
        // per-request work (docs/BENCHMARKS.md); output directories of earlier versions still resume from their files.
        using var cache = new ResponseCache(Path.Combine(outputDir, CacheDir), ResponseCacheLayout.AppendLog);
        cache.RemoveStaleTemporaryFiles(TimeSpan.FromMinutes(10));
        var teachers = new CachedTeacher?[config.Teachers.Count];
        var created = new ITeacher?[config.Teachers.Count];
        var loadErrors = new Exception?[config.Teachers.Count];
        var create = options.CreateTeacher ?? (t => TeacherFactory.Create(t, config.Concurrency));
        using var slots = new SemaphoreSlim(config.Concurrency, config.Concurrency);
        try
        {
            for (int i = 0; i < teachers.Length; i++)
            {
                var tc = config.Teachers[i];
                try
                {
                    var inner = create(tc);
                    if (inner.Family != tc.Family)
                    {
                        (inner as IDisposable)?.Dispose();
                        throw new TraceRunException($"teachers[{i}].family: the config says '{tc.Family}' but the teacher is '{inner.Family}'");
                    }
                    created[i] = inner;
                    teachers[i] = new CachedTeacher(new SlotLimitedTeacher(inner, slots), cache);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    loadErrors[i] = e;
                    log?.WriteLine($"[distill] teacher '{tc.Name}' failed to start, its requests are skipped: {e.Message}");
                }
            }
            return await RunWithTeachersAsync(config, options, prompts, decontaminated.Report, teachers, loadErrors, ct);
        }
        finally
        {
            foreach (var t in created) (t as IDisposable)?.Dispose();
        }
    }

    static async Task<TraceRunResult> RunWithTeachersAsync(TraceConfig config, TraceRunOptions options, IReadOnlyList<PromptItem> prompts,
        DecontaminationReport decontamination, CachedTeacher?[] teachers, Exception?[] loadErrors, CancellationToken ct)
    {
        // Jobs in a fixed order: prompt, then teacher, then sample. Replies land in their job's slot.
        var jobs = new List<(int Prompt, int Teacher, int Sample)>();
        for (int p = 0; p < prompts.Count; p++)
            for (int t = 0; t < config.Teachers.Count; t++)
                for (int s = 0; s < config.Teachers[t].SamplesPerPrompt; s++)
                    jobs.Add((p, t, s));
        var progress = new RunProgress(config.Teachers.Select(t => (t.Name, prompts.Count * t.SamplesPerPrompt)).ToList(),
            options.Progress, options.Time, options.ProgressInterval);
        var replies = new TeacherReply?[jobs.Count];
        var verifications = new VerificationResult?[jobs.Count];
        int finished = 0;
        long[] callsBefore = teachers.Select(t => t?.TeacherCalls ?? 0).ToArray();
        try
        {
            // In-process teachers get fixed groups of their jobs (FixedGroups): batched kernels round differently for
            // different batch shapes, so batching whatever happens to be in flight would make traces depend on timing.
            await Parallel.ForEachAsync(FixedGroups.Plan([.. jobs.Select(j => j.Teacher)],
                    [.. teachers.Select(t => (t?.Inner as SlotLimitedTeacher)?.Inner is IBatchTeacher b ? b.MaxBatch : (int?)null)]),
                new ParallelOptions { MaxDegreeOfParallelism = config.Concurrency * WorkersPerSlot, CancellationToken = ct },
                async (unit, token) =>
                {
                    int t = jobs[unit[0]].Teacher;
                    var requests = unit.Select(j => RequestFor(config.Teachers[t], prompts[jobs[j].Prompt], jobs[j].Sample)).ToList();
                    var pending = Start(teachers[t], loadErrors[t], requests, token);
                    for (int i = 0; i < unit.Length; i++)
                    {
                        int j = unit[i], p = jobs[j].Prompt;
                        try
                        {
                            var reply = await pending[i].ConfigureAwait(false);
                            // Verified here, while other requests are in flight, rather than all at the end.
                            if (config.Verifier) verifications[j] = AnswerVerifier.Default.Verify(reply.Content, reply.Reasoning, prompts[p].ReferenceAnswer);
                            replies[j] = reply;
                            progress.Succeeded(t, reply);
                        }
                        catch (OperationCanceledException) when (token.IsCancellationRequested)
                        {
                            throw;
                        }
                        catch (Exception e)
                        {
                            progress.Failed(t, e);
                        }
                        options.RequestFinished?.Invoke(Interlocked.Increment(ref finished));
                    }
                });
        }
        finally
        {
            for (int t = 0; t < teachers.Length; t++)
                progress.Teachers[t].TeacherCalls = (teachers[t]?.TeacherCalls ?? 0) - callsBefore[t];
            progress.Flush();
        }

        // Verify, select, and turn the kept replies into records, in job order.
        var policy = CreatePolicy(config);
        var records = new List<DatasetRecord>();
        int candidates = 0;
        for (int start = 0; start < jobs.Count;)
        {
            int p = jobs[start].Prompt, end = start;
            while (end < jobs.Count && jobs[end].Prompt == p) end++;
            var prompt = prompts[p];
            var byCandidate = new Dictionary<Candidate, int>(ReferenceEqualityComparer.Instance);
            for (int j = start; j < end; j++)
            {
                if (replies[j] is not { } reply) continue;
                var (_, t, s) = jobs[j];
                var tc = config.Teachers[t];
                var verification = verifications[j] ?? new VerificationResult(Verdict.NoReference, null, null, MatchMethod.None);
                if (config.Verifier && verification.HasReference)
                {
                    var stats = progress.Teachers[t];
                    stats.Verified++;
                    if (verification.IsCorrect) stats.Correct++;
                }
                byCandidate[new Candidate(tc.Name, tc.Family, reply.Content, reply.Reasoning, reply.CompletionTokens, verification) { Sample = s }] = j;
            }
            candidates += byCandidate.Count;
            IEnumerable<(int Job, RecordSelection Selection, VerificationResult? Verification)> kept;
            if (!config.Verifier)
                kept = byCandidate.Values.Select(j => (j, new RecordSelection { Policy = "keep-all", Reason = "verifier off: every reply kept", Score = 1.0 }, (VerificationResult?)null));
            else
            {
                var result = policy.Select(prompt, byCandidate.Keys.ToList());
                kept = result.Selected.Select(sc => (byCandidate[sc.Candidate], new RecordSelection { Policy = result.Policy, Reason = sc.Reason, Score = sc.Score },
                    (VerificationResult?)sc.Candidate.Verification));
            }
            foreach (var (j, selection, verification) in kept.OrderBy(k => k.Item1))
                records.Add(ToRecord(config.Teachers[jobs[j].Teacher], prompt, jobs[j].Sample, replies[j]!, selection, verification));
            start = end;
        }

        return WriteOutput(config, prompts.Count, decontamination, jobs.Count, candidates, records, teachers, progress, policy.Name);
    }

    static TraceRunResult WriteOutput(TraceConfig config, int promptCount, DecontaminationReport decontamination, int requests, int candidates,
        List<DatasetRecord> records, CachedTeacher?[] teachers, RunProgress progress, string policyName)
    {
        var outputDir = config.OutputDir;
        var files = DatasetWriter.WriteShards(outputDir, records, config.ShardSize, config.ShardFormat);
        var manifestTeachers = config.Teachers.Select((tc, i) => new ManifestTeacher(tc.Name, tc.Family,
            teachers[i]?.Revision ?? tc.Revision ?? "unknown", tc.License, records.Count(r => r.Teacher == tc.Name), progress.Teachers[i].Failed)).ToList();
        var policy = config.Verifier ? policyName : "keep-all (verifier off)";
        var manifest = new DatasetManifest
        {
            ShardFormat = config.ShardFormat.ToString().ToLowerInvariant(),
            Files = files,
            Records = records.Count,
            Counts = new ManifestCounts(promptCount, decontamination.PromptsDropped, requests, progress.Teachers.Sum(t => t.Failed), candidates, records.Count),
            ConfigHash = config.ConfigHash,
            SelectionPolicy = policy,
            Verifier = config.Verifier,
            Teachers = manifestTeachers,
        };
        DatasetWriter.WriteManifest(outputDir, manifest);
        DatasetWriter.WriteCard(outputDir, DatasetCard.From(records, promptCount, manifestTeachers, policy));

        var table = progress.Table();
        var log = progress.Teachers.Select(t => new
        {
            type = "teacher", teacher = t.Name, requests = t.Requests, cached = t.FromCache, teacher_calls = t.TeacherCalls, failed = t.Failed,
            prompt_tokens = t.PromptTokens, completion_tokens = t.CompletionTokens, verified = t.Verified, correct = t.Correct,
            latency_p50_ms = t.LatencyPercentile(0.5)?.TotalMilliseconds, latency_p95_ms = t.LatencyPercentile(0.95)?.TotalMilliseconds,
            errors = t.Errors,
        });
        File.AppendAllLines(Path.Combine(outputDir, "run_log.jsonl"),
            log.Select(l => JsonSerializer.Serialize(l)).Prepend(JsonSerializer.Serialize(new
            {
                type = "run", finished_at = DateTimeOffset.UtcNow, records = records.Count, requests, failed = manifest.Counts.FailedRequests,
            })));
        return new TraceRunResult(outputDir, manifest, progress.Teachers, table);
    }

    /// <summary>Starts a unit's requests: one task per request, in order; a failure faults its own task.</summary>
    static IReadOnlyList<Task<TeacherReply>> Start(CachedTeacher? teacher, Exception? loadError, List<TeacherRequest> requests, CancellationToken ct)
    {
        if (teacher is null)
            return [.. requests.Select(_ => Task.FromException<TeacherReply>(new TraceRunException($"teacher did not start: {loadError!.Message}")))];
        if (teacher.Inner is SlotLimitedTeacher { Inner: IBatchTeacher } slotted)
            return teacher.GenerateTogether(requests, misses => slotted.GenerateTogether(misses, ct));
        try { return [teacher.GenerateAsync(requests[0], ct)]; }
        catch (Exception e) { return [Task.FromException<TeacherReply>(e)]; }
    }

    static TeacherRequest RequestFor(TeacherConfig teacher, PromptItem prompt, int sample) => new()
    {
        Messages = prompt.Messages,
        Sampling = teacher.Sampling,
        SampleIndex = sample,
        TopLogprobs = teacher.TopLogprobs,
        ReasoningEffort = teacher.ReasoningEffort,
    };

    static DatasetRecord ToRecord(TeacherConfig teacher, PromptItem prompt, int sample, TeacherReply reply, RecordSelection selection,
        VerificationResult? verification)
    {
        var request = RequestFor(teacher, prompt, sample);
        return new DatasetRecord
        {
            Id = $"{prompt.Id}/{teacher.Name}/{sample}",
            PromptId = prompt.Id,
            PromptSource = prompt.Source,
            Skill = prompt.Skill,
            Language = prompt.Language,
            Messages = [.. prompt.Messages.Select(m => new RecordMessage { Role = m.Role, Content = m.Content }), new RecordMessage { Role = "assistant", Content = reply.Content }],
            Reasoning = reply.Reasoning,
            Answer = reply.Content,
            Teacher = teacher.Name,
            Family = teacher.Family,
            ModelRevision = reply.Revision,
            License = teacher.License,
            GemmaTerms = teacher.Family == TeacherFamilies.Gemma3 || teacher.License == TeacherFamilies.DefaultLicense(TeacherFamilies.Gemma3),
            Sampling = new RecordSampling
            {
                Temperature = teacher.Sampling.Temperature, TopP = teacher.Sampling.TopP, TopK = teacher.Sampling.TopK,
                MaxTokens = teacher.Sampling.MaxTokens, Seed = request.EffectiveSeed,
            },
            SampleIndex = sample,
            FinishReason = reply.FinishReason.ToString().ToLowerInvariant(),
            PromptTokens = reply.PromptTokens,
            CompletionTokens = reply.CompletionTokens,
            Verification = verification is null ? null : new RecordVerification
            {
                Verdict = verification.Verdict.ToString(), Extracted = verification.ExtractedAnswer, Reference = verification.Reference,
                Method = verification.Method.ToString(),
            },
            Selection = selection,
            Text = reply.Logprobs is null ? null : reply.Text,
            Logprobs = reply.Logprobs?.Select(t => new RecordToken
            {
                Token = t.Token, Logprob = t.Logprob, ByteOffset = t.ByteOffset, ByteLength = t.ByteLength,
                Top = t.Top.Count == 0 ? null : t.Top.Select(a => new RecordTopToken { Token = a.Token, Logprob = a.Logprob }).ToList(),
            }).ToList(),
        };
    }

    static ISelectionPolicy CreatePolicy(TraceConfig config) => config.Selection switch
    {
        SelectionPolicyKind.AllVerified => new AllVerifiedPolicy(),
        SelectionPolicyKind.MajorityVote => new MajorityVotePolicy(),
        SelectionPolicyKind.ShortestVerified => new ShortestVerifiedPolicy(),
        SelectionPolicyKind.PerSkill => new PerSkillRoutingPolicy(config.Teachers
            .SelectMany(t => t.PreferredSkills.Select(skill => (Skill: skill, t.Name)))
            .GroupBy(x => x.Skill, StringComparer.OrdinalIgnoreCase)
            .ToDictionary(g => g.Key, g => (IReadOnlyList<string>)g.Select(x => x.Name).ToList(), StringComparer.OrdinalIgnoreCase)),
        _ => throw new ArgumentOutOfRangeException(nameof(config), config.Selection, "unknown selection policy"),
    };

    /// <summary>Every prompt set in config order; the source is "set:file" (file name only), and a repeated id keeps its first.</summary>
    static IReadOnlyList<PromptItem> ReadPrompts(TraceConfig config, TextWriter? log)
    {
        var prompts = new List<PromptItem>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        int duplicates = 0;
        foreach (var set in config.PromptSets)
            foreach (var file in set.Files)
                foreach (var item in PromptReader.ReadFile(file, set.Kind))
                {
                    if (!seen.Add(item.Id)) { duplicates++; continue; }
                    var source = item.Source == file ? Path.GetFileName(file) : item.Source;
                    prompts.Add(item with { Source = $"{set.Name}:{source}" });
                }
        if (duplicates > 0) log?.WriteLine($"[distill] {duplicates} prompts repeat an earlier prompt id and were skipped");
        return prompts;
    }

    static DecontaminationResult Decontaminate(TraceConfig config, IReadOnlyList<PromptItem> prompts, string outputDir, TextWriter? log)
    {
        if (config.EvalSets.Count == 0)
            return new DecontaminationResult(prompts, [], new DecontaminationReport(config.DecontaminationN, prompts.Count, 0, 0, 0, []));
        var evalItems = config.EvalSets.SelectMany(set => set.Files.SelectMany(f => PromptReader.ReadFile(f, set.Kind))
            .Select(item => EvalItem.FromPrompt(set.Name, item)));
        var decontaminator = new Decontaminator(evalItems, new DecontaminationOptions
        {
            N = config.DecontaminationN,
            MinimumWords = Math.Min(DecontaminationOptions.Default.MinimumWords, config.DecontaminationN),
        });
        var result = decontaminator.Filter(prompts);
        result.Report.WriteJsonl(Path.Combine(outputDir, "decontamination.jsonl"));
        log?.WriteLine($"[distill] decontamination: {result.Report.PromptsDropped} of {prompts.Count} prompts overlap the eval sets "
                       + $"({decontaminator.EvalItemCount} items, {config.DecontaminationN}-grams) and were dropped; see decontamination.jsonl");
        return result;
    }
}
