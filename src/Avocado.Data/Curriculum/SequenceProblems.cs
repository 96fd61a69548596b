namespace Avocado.Data.Curriculum;

/// <summary>
/// Next term of an arithmetic sequence, 3–6 terms shown, rising or falling by 1–9, terms up to about 100. The reasoning
/// finds the step from the last two terms, then applies it to the last: "Next number: 2, 5, 8, ?" → "8-5=3. 8+3=11."
/// → "11"; "20, 17, 14, ?" → "17-14=3. 14-3=11." (the last two terms sit right before the question mark, wherever the
/// sequence starts, so a small model finds them by position). The same one-digit-step arithmetic as the word
/// problems, in another form.
/// </summary>
internal static class SequenceProblems
{
    private static readonly string[] Openings = ["Next number:", "What comes next:", "Continue:"];

    public static CurriculumProblem Next(CurriculumRandom random)
    {
        int shown = random.Between(3, 6);
        int step = random.Between(1, 9);
        bool rising = random.Between(0, 9) < 6;
        var terms = new int[shown];
        string reasoning;
        int answer;
        if (rising)
        {
            terms[0] = random.Between(1, 50);
            for (int i = 1; i < shown; i++) terms[i] = terms[i - 1] + step;
            answer = terms[^1] + step;
            reasoning = $"{terms[^1]}-{terms[^2]}={step}. {terms[^1]}+{step}={answer}.";
        }
        else
        {
            answer = random.Between(1, 50);
            for (int i = shown - 1; i >= 0; i--) terms[i] = answer + (shown - i) * step;
            reasoning = $"{terms[^2]}-{terms[^1]}={step}. {terms[^1]}-{step}={answer}.";
        }
        var prompt = $"{random.Pick(Openings)} {string.Join(", ", terms)}, ? {AnswerInstructions.EnglishNumber}";
        return new CurriculumProblem($"sequence:{terms[0]}:{(rising ? "+" : "-")}{step}:{shown}", prompt, reasoning, answer.ToString());
    }
}
