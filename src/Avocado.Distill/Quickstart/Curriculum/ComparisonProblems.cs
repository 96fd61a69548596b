namespace Avocado.Distill.Quickstart.Curriculum;

/// <summary>
/// Ordering puzzles, half with names and half with numbers:
/// <list type="bullet">
/// <item>"Bob is older than Cy. Ann is older than Bob. Who is youngest?" → "Ann>Bob>Cy by age, so youngest is Cy." →
/// "Cy" (statements in either order, each as "older" or "younger");</item>
/// <item>"Which is larger: 17 or 23?" → "23>17." → "23"; "Which is smallest: 17, 23 or 9?" → "9<17<23." → "9".</item>
/// </list>
/// </summary>
internal static class ComparisonProblems
{
    // No one-letter names: the verifier would read "B" as a choice letter.
    private static readonly string[] Names =
        ["Ann", "Bob", "Cy", "Dan", "Eve", "Fay", "Gus", "Hal", "Ida", "Jon", "Kim", "Lou", "Max", "Ned", "Pat", "Ray", "Sue", "Tom", "Uma", "Val"];

    private sealed record Dimension(string Noun, string More, string Less, string Most, string Least);

    private static readonly Dimension[] Dimensions =
    [
        new("age", "older", "younger", "oldest", "youngest"),
        new("height", "taller", "shorter", "tallest", "shortest"),
        new("speed", "faster", "slower", "fastest", "slowest"),
    ];

    public static CurriculumProblem Next(CurriculumRandom random) => random.Coin() ? People(random) : Numbers(random);

    private static CurriculumProblem People(CurriculumRandom random)
    {
        // chain[0] has the most of the dimension: chain[0] > chain[1] > chain[2].
        var chain = new string[3];
        for (int i = 0; i < chain.Length; i++)
        {
            string name;
            do name = random.Pick(Names);
            while (Array.IndexOf(chain, name, 0, i) >= 0);
            chain[i] = name;
        }
        var d = random.Pick(Dimensions);

        string Statement(string high, string low) => random.Coin() ? $"{high} is {d.More} than {low}." : $"{low} is {d.Less} than {high}.";
        var first = Statement(chain[0], chain[1]);
        var second = Statement(chain[1], chain[2]);
        var facts = random.Coin() ? $"{first} {second}" : $"{second} {first}";

        bool most = random.Coin();
        var (superlative, answer) = most ? (d.Most, chain[0]) : (d.Least, chain[2]);
        var prompt = $"{facts} Who is {superlative}? {AnswerInstructions.EnglishName}";
        var reasoning = $"{string.Join('>', chain)} by {d.Noun}, so {superlative} is {answer}.";
        return new CurriculumProblem($"people:{d.Noun}:{string.Join('>', chain)}:{superlative}", prompt, reasoning, answer);
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
        var sorted = larger ? numbers.OrderDescending().ToArray() : numbers.Order().ToArray();
        var reasoning = string.Join(larger ? '>' : '<', sorted) + ".";
        // The key ignores the order the numbers are listed in: "17 or 23" and "23 or 17" are one problem.
        var key = $"numbers:{word}:{string.Join(',', numbers.Order())}";
        return new CurriculumProblem(key, $"Which is {word}: {listed}? {AnswerInstructions.EnglishNumber}", reasoning, sorted[0].ToString());
    }
}
