using Avocado.Common.Files;
using System.Diagnostics;
using System.Text.Json.Nodes;
using System.Text.Json;
using Avocado.Training.Alignment;
using Avocado.Training.Data;
using Avocado.Training.Objective;
using Avocado.Training.Optim;
using Avocado.Training.Run;
using Avocado.Training.TeacherSignals;
using Avocado.Models.Torch;
using Avocado.Models;
using Avocado.Text.Chat;
using TorchSharp;
using static TorchSharp.torch;

namespace Avocado.Training;

/// <summary>What a finished (or interrupted) run produced.</summary>
public sealed record TrainResult(string RunDir, string? StudentDir, int Steps, bool Completed, IReadOnlyDictionary<string, double> LastMetrics);

/// <summary>
/// The distillation trainer: builds the student, the data plan and the teachers from a <see cref="TrainConfig"/>,
/// runs AdamW steps with warmup + cosine, clipping and accumulation, checkpoints exactly (weights, optimizer, data
/// cursor) and resumes bit for bit, logs every loss term, and writes the student in Hugging Face layout with a model card.
/// </summary>
public sealed class Trainer : IDisposable
{
    readonly TrainConfig _config;
    readonly TextWriter? _log;
    readonly Device _device;
    readonly TokenizerRef _tokenizer;
    readonly IChatFormat _format;
    readonly List<TrainingExample> _train, _eval;
    readonly IReadOnlyList<DataFile> _dataFiles;
    readonly Packing _packing;
    readonly CausalLM _student;
    readonly List<TrainingTeacher> _teachers = [];
    readonly DistillObjective _objective;
    readonly AdamW _optimizer;
    readonly LrSchedule _schedule;

    public Trainer(TrainConfig config, TextWriter? log)
    {
        _config = config;
        _log = log;
        var t = config.Training;
        _device = t.Device == "cuda" || (t.Device == "auto" && cuda.is_available()) ? CUDA : CPU;
        var dtype = t.Precision == Precision.Bf16 || (t.Precision == Precision.Auto && _device.type == DeviceType.CUDA)
            ? ScalarType.BFloat16 : ScalarType.Float32;
        manual_seed(config.Seed);
        _tokenizer = TokenizerRef.Load(config.Student.Tokenizer);
        _format = ChatFormats.For(config.Student.ChatFormat);
        var builder = new ExampleBuilder(_tokenizer.Tokenizer, _format);
        (var records, _dataFiles) = TrainingData.Read(config.Data);
        _train = records.Select((r, i) => builder.Build(r, i)).ToList();
        _eval = config.EvalData.Count == 0 ? [] : TrainingData.Read(config.EvalData).Records.Select((r, i) => builder.Build(r, i)).ToList();
        _packing = new Packing(_train, config.Seed, t.SeqLen, t.Packing, t.BatchSize);
        Say($"data: {_train.Count} examples ({_train.Sum(e => e.Targets)} target tokens) from {_dataFiles.Count} file(s); eval {_eval.Count}");
        if (_packing.Truncated > 0) Say($"warning: {_packing.Truncated} example(s) longer than seq_len {t.SeqLen} are cut");
        if (_packing.Unusable > 0) Say($"warning: {_packing.Unusable} example(s) have no assistant token within seq_len {t.SeqLen} and are skipped");

        if (config.Student.Checkpoint is { } from)
        {
            _student = ModelLoader.Load(from, dtype, _device);
            if (_student.Config.VocabSize < _tokenizer.Tokenizer.VocabSize)
                throw new InvalidDataException($"student checkpoint {from}: vocab_size {_student.Config.VocabSize} is smaller than its tokenizer's {_tokenizer.Tokenizer.VocabSize} ids");
        }
        else
            _student = StudentFactory.Create(StudentFactory.FreshConfig(config.Student.Family, config.Student.Shape, _tokenizer.Tokenizer, _format),
                config.Seed, config.Student.InitStd, _device, dtype);
        _student.train();
        long parameters = _student.parameters().Sum(p => p.numel());
        Say($"model: {_student.Config.Family}, {parameters / 1e6:F2}M parameters, tokenizer {Path.GetFileName(_tokenizer.Directory.TrimEnd('/'))} ({_tokenizer.Tokenizer.VocabSize} ids), {dtype} on {_device.type}");

        foreach (var spec in config.Teachers)
        {
            var teacher = new TrainingTeacher(spec, _tokenizer, _student.Config.VocabSize, _device);
            _teachers.Add(teacher);
            Say($"teacher {spec.Name}: {teacher.Notice}");
        }
        _objective = new DistillObjective(config.Losses, config.Weighting, _teachers, new VocabularyBridge(_tokenizer.Tokenizer));
        Say(_objective.Describe());
        _optimizer = new AdamW(_student.named_parameters().Select(p => (p.name, p.parameter)), t.Beta1, t.Beta2, t.Epsilon, t.WeightDecay);
        _schedule = new LrSchedule(t.LearningRate, t.WarmupSteps, t.Steps, t.MinLrRatio);
        Say($"schedule: {_schedule.Describe()}; AdamW β=({t.Beta1}, {t.Beta2}), weight decay {t.WeightDecay} (not on norms, biases, embeddings)");
    }

    public CausalLM Student => _student;

    /// <summary>Runs to the configured step count, starting from the newest checkpoint when <paramref name="resume"/>.
    /// Cancellation saves a checkpoint at the current step and returns (Completed = false).</summary>
    public TrainResult Run(bool resume, CancellationToken cancel = default, int? stopAfter = null)
    {
        var t = _config.Training;
        Directory.CreateDirectory(_config.RunDir);
        var state = new TrainingState { Seed = _config.Seed, ConfigHash = _config.ConfigHash };
        var existing = Checkpoints.List(_config.RunDir);
        if (existing.Count > 0 && !resume)
            throw new InvalidOperationException($"{_config.RunDir} already has checkpoints; resume it with --resume {_config.RunDir} or choose another run_dir");
        if (resume && existing.Count > 0)
        {
            var (step, dir) = existing[^1];
            state = Checkpoints.ReadState(dir);
            if (state.ConfigHash != _config.ConfigHash)
                Say($"warning: the config changed since the checkpoint (sha256 {state.ConfigHash[..Math.Min(12, state.ConfigHash.Length)]} → {_config.ConfigHash[..Math.Min(12, _config.ConfigHash.Length)]}); resume is exact only with the same config");
            Checkpoints.LoadWeights(_student, dir);
            _optimizer.Load(Path.Combine(dir, Checkpoints.OptimizerFile), step);
            Say($"resumed from {dir} (step {step}, {state.Tokens} tokens)");
        }
        WriteRunRecord();
        var metrics = new MetricsLog(_config.RunDir, state.Step);
        var progress = new TrainProgress(_log, t.Steps, state.Step);
        var clock = Stopwatch.StartNew();
        double elapsedBefore = state.ElapsedSeconds;
        var window = new Dictionary<string, double>();
        int windowSteps = 0;
        long windowTokens = 0;
        var last = new Dictionary<string, double>();
        int stopAt = stopAfter is { } s ? Math.Min(t.Steps, s) : t.Steps;
        while (state.Step < stopAt)
        {
            if (cancel.IsCancellationRequested) break;
            int step = state.Step;
            double lr = _schedule.At(step);
            long tokens = 0, targets = 0;
            int epoch = state.Epoch;
            var stepTerms = new Dictionary<string, double>();
            for (int m = 0; m < t.GradAccumulation; m++)
            {
                using var scope = NewDisposeScope();
                var (e, rows) = _packing.MicroBatch(state.MicroBatches + m);
                epoch = e;
                using var batch = MicroBatch.Build(rows, _train, _tokenizer.Tokenizer.PadId ?? 0, _device);
                var result = _objective.Compute(_student, batch);
                result.Total.Div(t.GradAccumulation).backward();
                foreach (var (k, v) in result.Terms) stepTerms[k] = stepTerms.GetValueOrDefault(k) + v / t.GradAccumulation;
                tokens += batch.Tokens;
                targets += batch.TargetCount;
            }
            double norm = _optimizer.GradNorm();
            double scale = t.ClipNorm > 0 && norm > t.ClipNorm ? t.ClipNorm / (norm + 1e-6) : 1.0;
            _optimizer.Update(lr, scale);
            state = state with
            {
                Step = step + 1, MicroBatches = state.MicroBatches + t.GradAccumulation, Epoch = epoch,
                Tokens = state.Tokens + tokens, TargetTokens = state.TargetTokens + targets,
                ElapsedSeconds = elapsedBefore + clock.Elapsed.TotalSeconds,
            };
            foreach (var (k, v) in stepTerms) window[k] = window.GetValueOrDefault(k) + v;
            window["grad_norm"] = window.GetValueOrDefault("grad_norm") + norm;
            windowSteps++;
            windowTokens += tokens;
            bool isLast = state.Step == t.Steps;
            progress.Step(step, tokens, stepTerms.GetValueOrDefault("loss/total"), force: isLast);
            if (state.Step % t.LogEvery == 0 || isLast)
            {
                last = window.ToDictionary(kv => kv.Key, kv => kv.Value / windowSteps);
                last["lr"] = lr;
                last["epoch"] = epoch;
                last["tokens"] = state.Tokens;
                if (t.EvalEvery > 0 && _eval.Count > 0 && (state.Step % t.EvalEvery == 0 || isLast))
                    foreach (var (k, v) in Evaluate()) last[k] = v;
                metrics.Write(state.Step, last);
                window.Clear();
                windowSteps = 0;
                windowTokens = 0;
            }
            if (state.Step % t.CheckpointEvery == 0 || isLast)
                Checkpoints.Save(_config.RunDir, _student, _optimizer, state, t.KeepCheckpoints);
        }
        bool completed = state.Step >= t.Steps;
        if (!completed)
        {
            if (Checkpoints.List(_config.RunDir).LastOrDefault().Step != state.Step && state.Step > 0)
                Checkpoints.Save(_config.RunDir, _student, _optimizer, state, t.KeepCheckpoints);
            Say($"stopped at step {state.Step}/{t.Steps}; continue with --resume {_config.RunDir}");
        }
        WritePlots(metrics.FilePath);
        string? studentDir = null;
        if (completed)
        {
            var evalResults = _eval.Count > 0 ? Evaluate() : new Dictionary<string, double>();
            studentDir = StudentExport.Write(_config, _student, _tokenizer, _format, _teachers, _dataFiles, _train, evalResults, state);
            Say($"student written to {studentDir}");
        }
        return new TrainResult(_config.RunDir, studentDir, state.Step, completed, last);
    }

    /// <summary>Held-out cross-entropy on the eval examples' assistant tokens (nats/token) and its perplexity.</summary>
    public Dictionary<string, double> Evaluate()
    {
        using var _ = no_grad();
        var packing = new Packing(_eval, 0, _config.Training.SeqLen, _config.Training.Packing, _config.Training.BatchSize);
        var rows = packing.Epoch(0);
        double sum = 0;
        long count = 0;
        for (int i = 0; i < rows.Count; i += _config.Training.BatchSize)
        {
            using var scope = NewDisposeScope();
            using var batch = MicroBatch.Build(rows.Skip(i).Take(_config.Training.BatchSize).ToList(), _eval, _tokenizer.Tokenizer.PadId ?? 0, _device);
            var logits = batch.TargetLogits(_student);
            sum += Losses.SequenceLoss.CrossEntropy(logits, batch.TargetIds).item<float>() * batch.TargetCount;
            count += batch.TargetCount;
        }
        double ce = count == 0 ? double.NaN : sum / count;
        return new Dictionary<string, double> { ["eval/ce"] = ce, ["eval/perplexity"] = Math.Exp(ce) };
    }

    void WritePlots(string metricsFile)
    {
        if (!File.Exists(metricsFile)) return;
        try { Avocado.Charts.MetricsPlotter.WriteLossPlots(metricsFile, Path.Combine(_config.RunDir, "plots")); }
        catch (Exception e) when (e is IOException or InvalidDataException or JsonException) { Say($"warning: plots not written ({e.Message})"); }
    }

    /// <summary><c>run.json</c>: the resolved config, data hashes, teacher revisions, seeds and the loss formula.</summary>
    void WriteRunRecord()
    {
        var record = new JsonObject
        {
            ["config"] = JsonNode.Parse(JsonSerializer.Serialize(_config, RunJson)),
            ["config_hash"] = _config.ConfigHash,
            ["data"] = new JsonArray([.. _dataFiles.Select(f => (JsonNode)new JsonObject { ["path"] = f.Path, ["sha256"] = f.Sha256, ["records"] = f.Records })]),
            ["teachers"] = new JsonArray([.. _teachers.Select(t => (JsonNode)new JsonObject
            {
                ["name"] = t.Spec.Name, ["checkpoint"] = t.Spec.Checkpoint, ["revision"] = t.Revision, ["tokenizer_sha256"] = t.Tokenizer.Sha256,
                ["shares_vocabulary"] = t.SharesVocabulary, ["license"] = t.Spec.License,
            })]),
            ["student_tokenizer_sha256"] = _tokenizer.Sha256,
            ["seed"] = _config.Seed,
            ["objective"] = _objective.Describe(),
            ["torch_threads"] = get_num_threads(),
        };
        var path = Path.Combine(_config.RunDir, "run.json");
        AtomicFile.WriteAllText(path, record.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }

    static readonly JsonSerializerOptions RunJson = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower, WriteIndented = true,
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
        Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    void Say(string message) => _log?.WriteLine(message);

    public void Dispose()
    {
        _optimizer.Dispose();
        foreach (var t in _teachers) t.Dispose();
        _student.Dispose();
    }
}
