using Avocado.Data.Dataset;

namespace Avocado.Training.Data;

/// <summary>
/// One dataset record rendered in the student's chat format and tokenized. Token t is a training target iff
/// t ≥ <see cref="FirstTarget"/> (the assistant turn: reasoning, answer and the end-of-turn token); the prediction of
/// token t is made at position t − 1 — the label shift lives here and nowhere else (<see cref="TargetPositions"/>).
/// </summary>
public sealed record TrainingExample
{
    /// <summary>Index in the run's example list (stable: records are read in file order).</summary>
    public required int Index { get; init; }
    public required DatasetRecord Record { get; init; }
    /// <summary>The rendered conversation (prompt + assistant turn).</summary>
    public required string Text { get; init; }
    /// <summary>UTF-8 length of the prompt part (the generation prompt included).</summary>
    public required int PromptBytes { get; init; }
    public required int[] Ids { get; init; }
    /// <summary>Per token, its [Start, End) UTF-8 bytes in <see cref="Text"/>.</summary>
    public required (int Start, int End)[] Offsets { get; init; }
    public required int FirstTarget { get; init; }
    /// <summary>The record's reasoning and answer: text every rendering contains verbatim, in order (cross-tokenizer alignment anchors).</summary>
    public required IReadOnlyList<string> Segments { get; init; }

    public int Length => Ids.Length;

    /// <summary>The assistant turn's text (everything after the prompt).</summary>
    public string AssistantText => System.Text.Encoding.UTF8.GetString(System.Text.Encoding.UTF8.GetBytes(Text)[PromptBytes..]);

    /// <summary>Byte spans of target tokens FirstTarget … keptLength − 1, relative to <see cref="AssistantText"/>.</summary>
    public Alignment.ByteSpan[] AssistantSpans(int keptLength) =>
        Alignment.ByteSpans.FromOffsets(Offsets[FirstTarget..keptLength].Select(o => (o.Start - PromptBytes, o.End - PromptBytes)).ToList());
    public int Targets => Ids.Length - FirstTarget;

    /// <summary>Positions whose logits predict a target token: FirstTarget − 1 … Length − 2.</summary>
    public IEnumerable<int> TargetPositions => Enumerable.Range(FirstTarget - 1, Targets);
}
