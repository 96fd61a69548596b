namespace Avocado.Data.Verification;

/// <summary>How an answer was found in a reply, in <see cref="AnswerExtractor"/>'s order of precedence.</summary>
public enum ExtractionMethod
{
    /// <summary>GSM8K's <c>#### 42</c> on the last line.</summary>
    HashMarks,

    /// <summary>The last <c>\boxed{…}</c> or <c>\fbox{…}</c>.</summary>
    Boxed,

    /// <summary>"The (final) answer is 42".</summary>
    AnswerIs,

    /// <summary>A line "Answer: 42" or "**Final Answer:** 42" (or the line after a bare "Final Answer" label).</summary>
    AnswerLabel,

    /// <summary>The last line is a choice letter alone: "(B)", "**C**", "D.".</summary>
    ChoiceLetter,

    /// <summary>The last number in the final answer (no marker at all).</summary>
    LastNumber,
}

/// <summary>Where in a reply the answer was found.</summary>
public enum AnswerLocation
{
    /// <summary>The final answer (what the user sees).</summary>
    Final,

    /// <summary>The reasoning, because the final answer had none (a reply cut off while thinking, usually).</summary>
    Reasoning,
}

/// <summary>An answer found in a reply: its text as written (not normalised), how and where it was found.</summary>
public sealed record ExtractedAnswer(string Text, ExtractionMethod Method, AnswerLocation Location);

/// <summary>What <see cref="AnswerExtractor"/> may fall back to.</summary>
public sealed record AnswerExtractionOptions
{
    public static AnswerExtractionOptions Default { get; } = new();

    /// <summary>
    /// Look in the reasoning when the final answer has no answer at all; there only explicit markers count
    /// (<c>####</c>, <c>\boxed</c>, "the answer is", "Answer:"), never the last number of a half-finished thought.
    /// </summary>
    public bool SearchReasoning { get; init; } = true;

    /// <summary>Take the last number of the final answer when it has no marker.</summary>
    public bool LastNumberFallback { get; init; } = true;
}
