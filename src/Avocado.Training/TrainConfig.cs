namespace Avocado.Training;

/// <summary>
/// A training run, as read from its JSON config (<see cref="TrainConfigLoader"/>; the format is in docs/TRAINING.md).
/// Defaults live here, in one place. Paths are absolute after loading.
/// </summary>
public sealed record TrainConfig
{
    /// <summary>Where checkpoints, metrics, plots and the resolved config go.</summary>
    public required string RunDir { get; init; }
    /// <summary>Where the finished student is written (Hugging Face layout); default <c>{run_dir}/student</c>.</summary>
    public required string OutputDir { get; init; }
    public long Seed { get; init; }
    public required StudentSpec Student { get; init; }
    /// <summary>Dataset directories written by <c>distill generate</c> (manifest.json + data/) or single shard files.</summary>
    public required IReadOnlyList<string> Data { get; init; }
    /// <summary>Held-out datasets scored (cross-entropy) every <see cref="OptimizationSpec.EvalEvery"/> steps.</summary>
    public IReadOnlyList<string> EvalData { get; init; } = [];
    /// <summary>In-process teachers scored on the training sequences (logit or cross-tokenizer distillation).</summary>
    public IReadOnlyList<TrainTeacherSpec> Teachers { get; init; } = [];
    public LossSpec Losses { get; init; } = new();
    [System.Text.Json.Serialization.JsonPropertyName("teacher_weighting")] // the config file's name for it
    public WeightingSpec Weighting { get; init; } = new();
    public OptimizationSpec Training { get; init; } = new();
    /// <summary>SHA-256 of the config file's bytes (empty when parsed from memory). Not a config field: run.json
    /// records it beside the config, so that the config it records loads as a config file.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public string ConfigHash { get; init; } = "";
}

/// <summary>The student: architecture, tokenizer, and where its first weights come from.</summary>
public sealed record StudentSpec
{
    /// <summary>"qwen3", "gemma3" or "gpt-oss".</summary>
    public required string Family { get; init; }
    /// <summary>A built-in tokenizer name (qwen3, gemma3, o200k_harmony) or a directory with tokenizer.json.</summary>
    public required string Tokenizer { get; init; }
    /// <summary>The chat format the student is trained in; default: the family's.</summary>
    public required string ChatFormat { get; init; }
    /// <summary>Start from this checkpoint's weights instead of a fresh initialisation.</summary>
    public string? Checkpoint { get; init; }
    /// <summary>Shape of a fresh student (ignored with a checkpoint).</summary>
    public StudentShape Shape { get; init; } = new();
    /// <summary>Standard deviation of the fresh initialisation (as transformers' initializer_range).</summary>
    public double InitStd { get; init; } = 0.02;
}

/// <summary>A fresh student's size; unset values come from the family's tiny preset.</summary>
public sealed record StudentShape
{
    public int? HiddenSize { get; init; }
    public int? IntermediateSize { get; init; }
    public int? NumLayers { get; init; }
    public int? NumHeads { get; init; }
    public int? NumKvHeads { get; init; }
    public int? HeadDim { get; init; }
    public int? MaxPositionEmbeddings { get; init; }
    /// <summary>Window of sliding-attention layers (Gemma 3, gpt-oss); default 128.</summary>
    public int? SlidingWindow { get; init; }
    /// <summary>RoPE base (global layers). The families' bases (10⁶ for Qwen3 and Gemma 3, 1.5·10⁵ for gpt-oss) serve
    /// long contexts; with a small head_dim and short rows, 10⁴ leaves more rotary dimensions that turn within a row.</summary>
    public double? RopeTheta { get; init; }
    /// <summary>gpt-oss only.</summary>
    public int? NumExperts { get; init; }
    public int? ExpertsPerToken { get; init; }
}

/// <summary>A teacher loaded in-process during training.</summary>
public sealed record TrainTeacherSpec
{
    public required string Name { get; init; }
    public required string Checkpoint { get; init; }
    /// <summary>Tokenizer directory or built-in name; default: the checkpoint directory.</summary>
    public required string Tokenizer { get; init; }
    /// <summary>The teacher's own chat format (cross-tokenizer teachers see the conversation as they were trained to).</summary>
    public required string ChatFormat { get; init; }
    public double Weight { get; init; } = 1.0;
    /// <summary>Skills this teacher is routed for (weighting "skill").</summary>
    public IReadOnlyList<string> Skills { get; init; } = [];
    public string? License { get; init; }
    public string? Revision { get; init; }
}

public enum LogitLossKind { ForwardKl, ReverseKl, Jsd }

/// <summary>Loss-term weights (0 turns a term off) and their parameters.</summary>
public sealed record LossSpec
{
    /// <summary>Cross-entropy on the verified traces (assistant tokens only, reasoning included).</summary>
    public double Sequence { get; init; } = 1.0;
    /// <summary>Full-vocabulary logit distillation from in-process teachers that share the student's tokenizer.</summary>
    public double Logit { get; init; } = 1.0;
    public LogitLossKind LogitKind { get; init; } = LogitLossKind.ForwardKl;
    public double JsdBeta { get; init; } = 0.5;
    public double Temperature { get; init; } = 1.0;
    /// <summary>Distillation from the top-k log-probabilities stored in the dataset records (endpoint teachers).</summary>
    public double StoredTopK { get; init; }
    /// <summary>Cross-tokenizer: ULD loss at byte-aligned positions. Small by default: sorted-probability matching ignores
    /// which token is which, and at weight 1 it pulled a small student away from the answers (KnowledgeTransferTests).</summary>
    public double Uld { get; init; } = 0.1;
    /// <summary>Cross-tokenizer: KL over the teacher's top-k tokens whose bytes are also student tokens (+ tail).</summary>
    public double ExactMatch { get; init; } = 1.0;
    /// <summary>How many of a cross-tokenizer teacher's most likely tokens are kept per position.</summary>
    public int TeacherTopK { get; init; } = 32;
}

public enum WeightingMethod { Fixed, Skill, Entropy, MinCe, AvgCe }

/// <summary>How several teachers' losses are weighted per example.</summary>
public sealed record WeightingSpec
{
    public WeightingMethod Method { get; init; } = WeightingMethod.Fixed;
    /// <summary>τ in the softmax of entropy / cross-entropy weighting.</summary>
    public double Temperature { get; init; } = 1.0;
}

public enum Precision { Auto, Fp32, Bf16 }

public sealed record OptimizationSpec
{
    public int Steps { get; init; } = 1000;
    /// <summary>Rows (packed sequences) per micro-batch.</summary>
    public int BatchSize { get; init; } = 8;
    public int GradAccumulation { get; init; } = 1;
    public int SeqLen { get; init; } = 512;
    public bool Packing { get; init; } = true;
    public double LearningRate { get; init; } = 1e-3;
    /// <summary>The cosine schedule ends at learning_rate × this.</summary>
    public double MinLrRatio { get; init; } = 0.1;
    public int WarmupSteps { get; init; } = 20;
    public double WeightDecay { get; init; } = 0.1;
    public double Beta1 { get; init; } = 0.9;
    public double Beta2 { get; init; } = 0.95;
    public double Epsilon { get; init; } = 1e-8;
    /// <summary>Global gradient-norm clip; 0 disables.</summary>
    public double ClipNorm { get; init; } = 1.0;
    public Precision Precision { get; init; } = Precision.Auto;
    /// <summary>"cpu", "cuda" or "auto" (cuda when available).</summary>
    public string Device { get; init; } = "auto";
    public int CheckpointEvery { get; init; } = 100;
    public int KeepCheckpoints { get; init; } = 2;
    public int LogEvery { get; init; } = 10;
    /// <summary>0: evaluate only at the end (when eval data is given).</summary>
    public int EvalEvery { get; init; }
}
