namespace Avocado.Data.Curriculum;

/// <summary>
/// One generated problem before it gets an id. <see cref="Key"/> names the problem apart from its wording (the
/// numbers and operations, the names and their order): the split is decided by the key, so a held-out problem is
/// new, not a rewording of a training one.
/// </summary>
internal readonly record struct CurriculumProblem(string Key, string Prompt, string Reasoning, string Answer);

/// <summary>The answer instructions appended to every prompt (what the final answer must look like).</summary>
internal static class AnswerInstructions
{
    public const string EnglishNumber = "Number only.";
    public const string EnglishName = "Reply \"Answer: name\".";
    public const string ChineseNumber = "只答数字。";
}
