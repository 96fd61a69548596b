namespace Avocado.Traces.Decontamination;

/// <summary>How <see cref="Decontaminator"/> matches training prompts against evaluation items.</summary>
public sealed record DecontaminationOptions
{
    public static DecontaminationOptions Default { get; } = new();

    /// <summary>Words per n-gram. 13 as in GPT-3's and most later contamination studies: long enough that a shared one is no coincidence.</summary>
    public int N { get; init; } = 13;

    /// <summary>
    /// Eval items shorter than <see cref="N"/> words are matched whole when they have at least this many words;
    /// shorter ones ("Yes", "What is 2+2?") would match ordinary text by chance and are skipped (counted in the report).
    /// </summary>
    public int MinimumWords { get; init; } = 8;

    /// <summary>Also check each prompt's reference answer (long-form references can quote an eval solution).</summary>
    public bool CheckReferenceAnswers { get; init; }

    /// <summary>How many overlapping n-grams with one eval item it takes to drop a prompt (1: any overlap).</summary>
    public int MinimumOverlaps { get; init; } = 1;

    internal void Validate()
    {
        if (N < 1) throw new ArgumentOutOfRangeException(nameof(N), N, "DecontaminationOptions.N must be at least 1 (13 is usual)");
        if (MinimumWords < 1)
            throw new ArgumentOutOfRangeException(nameof(MinimumWords), MinimumWords, "DecontaminationOptions.MinimumWords must be at least 1");
        if (MinimumOverlaps < 1)
            throw new ArgumentOutOfRangeException(nameof(MinimumOverlaps), MinimumOverlaps, "DecontaminationOptions.MinimumOverlaps must be at least 1");
    }
}
