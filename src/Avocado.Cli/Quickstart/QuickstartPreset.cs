namespace Avocado.Cli.Quickstart;

/// <summary>Sizes of a quickstart run. "default" is the README's run (≤ 15 minutes on 2 cores the first time);
/// "smoke" checks the whole pipeline in about two minutes.</summary>
public sealed record QuickstartPreset
{
    public required string Name { get; init; }
    /// <summary>Curriculum items per skill: teacher training solutions, trace prompts, held-out questions.</summary>
    public int TrainPerSkill { get; init; }
    public int TracePromptsPerSkill { get; init; }
    public int HeldOutPerSkill { get; init; }
    public int TeacherSteps { get; init; }
    public int StudentSteps { get; init; }
    public int HiddenSize { get; init; } = 128;
    public int Layers { get; init; } = 3;
    public int BatchSize { get; init; } = 16;
    public double LearningRate { get; init; } = 3e-3;
    public int MaxNewTokens { get; init; } = 48;
    /// <summary>Also train one student per single teacher (same budget) so the report can compare
    /// (<c>--baselines</c>: three more student runs, so not part of the default).</summary>
    public bool Baselines { get; init; }

    public static QuickstartPreset Default { get; } = new()
    {
        Name = "default", TrainPerSkill = 2500, TracePromptsPerSkill = 1500, HeldOutPerSkill = 60, TeacherSteps = 450, StudentSteps = 1000, BatchSize = 8,
        HiddenSize = 128,
    };

    public static QuickstartPreset Smoke { get; } = new()
    {
        Name = "smoke", TrainPerSkill = 200, TracePromptsPerSkill = 60, HeldOutPerSkill = 12, TeacherSteps = 40, StudentSteps = 30,
        HiddenSize = 64, Layers = 2, BatchSize = 8, MaxNewTokens = 32,
    };

    public static QuickstartPreset ByName(string name) => name switch
    {
        "default" => Default,
        "smoke" => Smoke,
        _ => throw new ArgumentException($"unknown preset '{name}'; use default or smoke"),
    };
}
