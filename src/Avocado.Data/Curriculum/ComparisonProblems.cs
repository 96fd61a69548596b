namespace Avocado.Data.Curriculum;

/// <summary>
/// Comparison puzzles, half with names and half with numbers, each solved by steps a small model can copy:
/// <list type="bullet">
/// <item>"Fact: Bob is younger than Ann. Who is older?" → "By age: Ann > Bob, so older is Ann." → "Ann" (the statement says
/// "older" or "younger", the question asks either way);</item>
/// <item>"Which is larger: 17, 23 or 9?" → "17<23. 23>9." → "23": a scan that compares the best so far with the next
/// number, in the order listed; "Which is smaller: 17 or 23?" → "17<23." → "17".</item>
/// </list>
/// </summary>
internal static class ComparisonProblems
{
    // No one-letter names: the verifier would read "B" as a choice letter.
    private static readonly string[] Names =
    [
        "Ann", "Bob", "Cy", "Dan", "Eve", "Fay", "Gus", "Hal", "Ida", "Jon", "Kim", "Lou", "Max", "Ned", "Pat", "Ray", "Sue", "Tom", "Uma", "Val",
        "Abe", "Bea", "Cal", "Deb", "Eli", "Flo", "Gil", "Ike", "Joy", "Liz",
    ];

    private sealed record Dimension(string Noun, string More, string Less);

    private static readonly Dimension[] Dimensions =
    [
        new("age", "older", "younger"),
        new("height", "taller", "shorter"),
        new("speed", "faster", "slower"),
    ];

    public static CurriculumProblem Next(CurriculumRandom random) => random.Coin() ? People(random) : Numbers(random);

    private static CurriculumProblem People(CurriculumRandom random)
    {
        // high has more of the dimension than low.
        var high = random.Pick(Names);
        string low;
        do low = random.Pick(Names);
        while (low == high);
        var d = random.Pick(Dimensions);
        var fact = random.Coin() ? $"{high} is {d.More} than {low}." : $"{low} is {d.Less} than {high}.";
        bool more = random.Coin();
        var (asked, answer) = more ? (d.More, high) : (d.Less, low);
        // Every name follows a space, in the prompt as in the reasoning: a byte-level BPE then gives each name one
        // token (" Ann"), and the reasoning copies that token instead of a different one ("Ann" at a line start).
        var prompt = $"Fact: {fact} Who is {asked}? {AnswerInstructions.EnglishName}";
        var reasoning = $"By {d.Noun}: {high} > {low}, so {asked} is {answer}.";
        return new CurriculumProblem($"people:{d.Noun}:{high}>{low}:{asked}", prompt, reasoning, answer);
    }

    private static CurriculumProblem Numbers(CurriculumRandom random)
    {
        int count = random.Coin() ? 2 : 3;
        var numbers = new int[count];
        for (int i = 0; i < count; i++)
        {
            int n;
            do n = random.Between(1, 99);
            while (Array.IndexOf(numbers, n, 0, i) >= 0);
            numbers[i] = n;
        }
        bool larger = random.Coin();
        var word = (larger, count) switch { (true, 2) => "larger", (false, 2) => "smaller", (true, _) => "largest", _ => "smallest" };
        var listed = count == 2 ? $"{numbers[0]} or {numbers[1]}" : $"{numbers[0]}, {numbers[1]} or {numbers[2]}";
        var steps = new List<string>();
        int best = numbers[0];
        foreach (var next in numbers.Skip(1))
        {
            steps.Add($"{best}{(best < next ? '<' : '>')}{next}.");
            best = larger ? Math.Max(best, next) : Math.Min(best, next);
        }
        // The key ignores the order the numbers are listed in: "17 or 23" and "23 or 17" are one problem.
        var key = $"numbers:{word}:{string.Join(',', numbers.Order())}";
        return new CurriculumProblem(key, $"Which is {word}: {listed}? {AnswerInstructions.EnglishNumber}", string.Join(' ', steps), best.ToString());
    }
}
