namespace Avocado.Data.Curriculum;

/// <summary>
/// One generated problem with its worked solution: <see cref="Prompt"/> (the question and a short answer instruction),
/// <see cref="Reasoning"/> (the steps, "12+7=19. 19-5=14."), and <see cref="Answer"/> (the short answer, "14"; the
/// reference the verifier compares with). <see cref="Id"/> is <c>{skill}-{split}-{index:D6}</c>.
/// </summary>
public sealed record CurriculumItem(string Id, string Skill, string Language, string Prompt, string Reasoning, string Answer)
{
    /// <summary>
    /// What the assistant writes after its reasoning (the final answer): the answer alone when it is a number ("14"),
    /// <c>Answer: Cy</c> for a name. The verifier reads a bare number in a final answer, but not a bare word, and a
    /// name found only in the reasoning is not accepted by default selection, so a name carries the "Answer:" label.
    /// </summary>
    public string FinalAnswer => IsNumber(Answer) ? Answer : AnswerLabel + Answer;

    /// <summary>The label that precedes a non-numeric final answer.</summary>
    public const string AnswerLabel = "Answer: ";

    private static bool IsNumber(string text) =>
        text.Length > 0 && text.AsSpan(text[0] == '-' ? 1 : 0) is { Length: > 0 } digits && !digits.ContainsAnyExceptInRange('0', '9');
}
