namespace Avocado.Distill.Quickstart.Curriculum;

/// <summary>
/// Next term of a sequence, 3–5 terms shown: arithmetic, rising or falling by 1–12, or geometric by 2 or 3.
/// The reasoning finds the step from the first two terms, then applies it to the last:
/// "Next number: 2, 5, 8, ?" → "5-2=3. 8+3=11." → "11"; "20, 17, 14, ?" → "20-17=3. 14-3=11."; "3, 6, 12, ?" → "6/3=2. 12*2=24."
/// </summary>
internal static class SequenceProblems
{
    private static readonly string[] Openings = ["Next number:", "What comes next:", "Continue:"];

    public static CurriculumProblem Next(CurriculumRandom random)
    {
        int shown = random.Between(3, 5);
        int kind = random.Between(0, 9); // 0–4 rising, 5–8 falling, 9 geometric
        var terms = new int[shown];
        string reasoning;
        int answer;
        string rule;
        if (kind <= 4)
        {
            int step = random.Between(1, 12);
            terms[0] = random.Between(0, 50);
            for (int i = 1; i < shown; i++) terms[i] = terms[i - 1] + step;
            answer = terms[^1] + step;
            reasoning = $"{terms[1]}-{terms[0]}={step}. {terms[^1]}+{step}={answer}.";
            rule = $"+{step}";
        }
        else if (kind <= 8)
        {
            int step = random.Between(1, 12);
            answer = random.Between(0, Math.Max(0, 120 - shown * step));
            for (int i = shown - 1; i >= 0; i--) terms[i] = answer + (shown - i) * step;
            reasoning = $"{terms[0]}-{terms[1]}={step}. {terms[^1]}-{step}={answer}.";
            rule = $"-{step}";
        }
        else
        {
            int ratio = random.Between(2, 3);
            int maxStart = Math.Max(1, 200 / (int)Math.Pow(ratio, shown));
            terms[0] = random.Between(1, maxStart);
            for (int i = 1; i < shown; i++) terms[i] = terms[i - 1] * ratio;
            answer = terms[^1] * ratio;
            reasoning = $"{terms[1]}/{terms[0]}={ratio}. {terms[^1]}*{ratio}={answer}.";
            rule = $"*{ratio}";
        }
        var prompt = $"{random.Pick(Openings)} {string.Join(", ", terms)}, ? {AnswerInstructions.EnglishNumber}";
        return new CurriculumProblem($"sequence:{terms[0]}:{rule}:{shown}", prompt, reasoning, answer.ToString());
    }
}
