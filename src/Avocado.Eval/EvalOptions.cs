using Avocado.Teachers;

namespace Avocado.Eval;

/// <summary>A model under evaluation: the name the report uses, and the teacher that answers for it.</summary>
public sealed record EvalModel(string Name, ITeacher Teacher);

/// <summary>How an evaluation samples and reports; defaults in this one place (the CLI only overrides).</summary>
public sealed record EvalOptions
{
    public const double DefaultSampledTemperature = 0.7;

    /// <summary>Answers per prompt and model (the n of pass@k).</summary>
    public int Samples { get; init; } = 1;
    /// <summary>The k of pass@k; null: <see cref="Samples"/> (then pass@k is "any sample correct").</summary>
    public int? PassK { get; init; }
    /// <summary>Null: 0 (greedy) for one sample, <see cref="DefaultSampledTemperature"/> for several (greedy samples would all be equal).</summary>
    public double? Temperature { get; init; }
    public double TopP { get; init; } = 1.0;
    public int MaxTokens { get; init; } = 1024;
    /// <summary>Sample s of every prompt uses seed <c>Seed + s</c> (<see cref="TeacherRequest.EffectiveSeed"/>), so reruns ask the same.</summary>
    public long Seed { get; init; }
    /// <summary>Qwen3 thinking mode; false renders the empty think block.</summary>
    public bool EnableThinking { get; init; } = true;
    /// <summary>Requests in flight at once, over all models.</summary>
    public int Concurrency { get; init; } = 4;
    /// <summary>Progress lines (stderr in the CLI); null: silent.</summary>
    public TextWriter? Progress { get; init; }
    public TimeSpan ProgressInterval { get; init; } = TimeSpan.FromSeconds(1);
    public TimeProvider Time { get; init; } = TimeProvider.System;

    public double EffectiveTemperature => Temperature ?? (Samples == 1 ? 0.0 : DefaultSampledTemperature);
    public int EffectivePassK => PassK ?? Samples;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid setting.</summary>
    public void Validate()
    {
        if (Samples < 1) throw new ArgumentException($"samples must be ≥ 1, got {Samples}");
        if (PassK is { } k && (k < 1 || k > Samples)) throw new ArgumentException($"pass@k needs 1 ≤ k ≤ samples ({Samples}), got k = {k}");
        if (Temperature is { } t && !(t >= 0 && double.IsFinite(t))) throw new ArgumentException($"temperature must be ≥ 0, got {t}");
        if (!(TopP > 0 && TopP <= 1)) throw new ArgumentException($"top-p must be in (0, 1], got {TopP}");
        if (MaxTokens < 1) throw new ArgumentException($"max tokens must be ≥ 1, got {MaxTokens}");
        if (Concurrency < 1) throw new ArgumentException($"concurrency must be ≥ 1, got {Concurrency}");
    }
}
