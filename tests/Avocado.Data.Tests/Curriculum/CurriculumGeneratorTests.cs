using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Avocado.Data.Dataset;
using Avocado.Data.Prompts;
using Avocado.Data.Curriculum;
using Avocado.Data.Verification;
using Avocado.Text.Chat;

namespace Avocado.Data.Tests.Curriculum;

public sealed partial class CurriculumGeneratorTests
{
    private const int Seed = 7;
    private static readonly IReadOnlyList<CurriculumItem> TrainItems = CurriculumGenerator.Generate("train", 1000, Seed);
    private static readonly IReadOnlyList<CurriculumItem> HeldoutItems = CurriculumGenerator.Generate("heldout", 300, Seed);
    private static IEnumerable<CurriculumItem> AllItems => TrainItems.Concat(HeldoutItems);

    [Fact]
    public void TheSameSeedGivesTheSameItemsAndAnotherSeedOthers()
    {
        Assert.Equal(TrainItems, CurriculumGenerator.Generate("train", 1000, Seed));
        var other = CurriculumGenerator.Generate("train", 1000, Seed + 1);
        Assert.Equal(TrainItems.Select(i => i.Id), other.Select(i => i.Id));
        int same = TrainItems.Zip(other).Count(pair => pair.First.Prompt == pair.Second.Prompt);
        Assert.True(same < 20, $"{same} of {TrainItems.Count} prompts are the same under another seed");
    }

    [Fact]
    public void GivesEverySkillInOrderWithUniqueStableIds()
    {
        Assert.Equal(["arith_en", "arith_zh", "compare", "sequence"], CurriculumGenerator.Skills);
        Assert.Equal(CurriculumGenerator.Skills.Count * 1000, TrainItems.Count);
        Assert.Equal(CurriculumGenerator.Skills, TrainItems.Select(i => i.Skill).Distinct());
        foreach (var (split, items) in new[] { ("train", TrainItems), ("heldout", HeldoutItems) })
        {
            foreach (var group in items.GroupBy(i => i.Skill))
                Assert.Equal(group.Select((_, n) => $"{group.Key}-{split}-{n:D6}"), group.Select(i => i.Id));
        }
        Assert.Equal(AllItems.Count(), AllItems.Select(i => i.Id).Distinct().Count());
        Assert.Equal(TrainItems.Count, TrainItems.Select(i => i.Prompt).Distinct().Count());

        // An item does not depend on how many items or which other skills were asked for.
        var fewer = CurriculumGenerator.Generate("train", 50, Seed, ["sequence", "arith_zh"]);
        Assert.Equal(TrainItems.Where(i => i.Skill == "sequence").Take(50).Concat(TrainItems.Where(i => i.Skill == "arith_zh").Take(50)), fewer);
        Assert.Empty(CurriculumGenerator.Generate("heldout", 0, Seed));
    }

    [Fact]
    public void RejectsUnknownSplitsSkillsAndCounts()
    {
        Assert.Throws<ArgumentException>(() => CurriculumGenerator.Generate("test", 10, Seed));
        var e = Assert.Throws<ArgumentException>(() => CurriculumGenerator.Generate("train", 10, Seed, ["arith_fr"]));
        Assert.Contains("arith_en", e.Message);
        Assert.Throws<ArgumentException>(() => CurriculumGenerator.Generate("train", 10, Seed, ["compare", "compare"]));
        Assert.Throws<ArgumentOutOfRangeException>(() => CurriculumGenerator.Generate("train", -1, Seed));
    }

    [Fact]
    public void TrainAndHeldoutShareNoPromptAndNoProblem()
    {
        foreach (var heldout in new[] { HeldoutItems, CurriculumGenerator.Generate("heldout", 300, Seed + 1) })
        {
            var trainPrompts = TrainItems.Select(i => i.Prompt).ToHashSet();
            Assert.DoesNotContain(heldout, i => trainPrompts.Contains(i.Prompt));
            Assert.Equal(heldout.Count, heldout.Select(i => i.Prompt).Distinct().Count());

            // Not even reworded: held-out arithmetic uses number-and-operation sequences never seen in training, in either language.
            static bool Arithmetic(CurriculumItem i) => i.Skill.StartsWith("arith", StringComparison.Ordinal);
            static (Equation, Equation) Problem(CurriculumItem i) => (Equations(i.Reasoning)[0], Equations(i.Reasoning)[1]);
            var trainProblems = TrainItems.Where(Arithmetic).Select(Problem).ToHashSet();
            Assert.DoesNotContain(heldout.Where(Arithmetic), i => trainProblems.Contains(Problem(i)));
        }
    }

    [Fact]
    public void ArithmeticIsRightStepByStep()
    {
        foreach (var item in AllItems.Where(i => i.Skill is "arith_en" or "arith_zh"))
        {
            var steps = Equations(item.Reasoning);
            Assert.Equal(2, steps.Count);
            Assert.All(steps, s => Assert.Equal(Apply(s.Left, s.Op, s.Right), s.Result));
            Assert.Equal(steps[0].Result, steps[1].Left);
            Assert.Equal(steps[1].Result.ToString(CultureInfo.InvariantCulture), item.Answer);
            Assert.Equal([steps[0].Left, steps[0].Right, steps[1].Right], Numbers(item.Prompt));
            Assert.All(Numbers(item.Prompt), n => Assert.InRange(n, 1, 30));
            Assert.All(steps, s => Assert.True(s.Result >= 1, $"{item.Id}: {item.Reasoning}"));
            // The words say which operations: buying adds, giving away subtracts.
            var ops = new string([steps[0].Op, steps[1].Op]);
            var expected = item.Language == "en"
                ? item.Prompt.Contains("gives away") ? "+-" : item.Prompt.Contains("loses") ? "-+" : item.Prompt.Contains("sells") ? "--" : "++"
                : item.Prompt.Contains("送出") ? "+-" : item.Prompt.Contains("丢了") ? "-+" : item.Prompt.Contains("卖了") ? "--" : "++";
            Assert.True(expected == ops, $"{item.Id}: \"{item.Prompt}\" → {item.Reasoning}");
        }
    }

    [Fact]
    public void SequencesContinueByTheirRule()
    {
        foreach (var item in AllItems.Where(i => i.Skill == "sequence"))
        {
            var terms = Numbers(item.Prompt);
            Assert.InRange(terms.Count, 3, 6);
            var differences = terms.Zip(terms.Skip(1), (a, b) => b - a).Distinct().ToList();
            Assert.Single(differences);
            Assert.InRange(Math.Abs(differences[0]), 1, 9);
            int answer = int.Parse(item.Answer, CultureInfo.InvariantCulture);
            Assert.Equal(terms[^1] + differences[0], answer);
            Assert.True(answer >= 1, item.Id);
            // Step from the last two terms (larger minus smaller), then applied to the last term.
            var steps = Equations(item.Reasoning);
            Assert.Equal(2, steps.Count);
            Assert.All(steps, s => Assert.Equal(Apply(s.Left, s.Op, s.Right), s.Result));
            Assert.Equal((Math.Max(terms[^1], terms[^2]), Math.Min(terms[^1], terms[^2]), Math.Abs(differences[0])), (steps[0].Left, steps[0].Right, steps[0].Result));
            Assert.Equal((terms[^1], answer), (steps[1].Left, steps[1].Result));
        }
    }

    [Fact]
    public void ComparisonsNameTheRightOneWithStepsThatFollowThePrompt()
    {
        var dimensions = new Dictionary<string, (string More, string Less)>
        {
            ["age"] = ("older", "younger"), ["height"] = ("taller", "shorter"), ["speed"] = ("faster", "slower"),
        };
        int people = 0, numbers = 0;
        foreach (var item in AllItems.Where(i => i.Skill == "compare"))
        {
            var question = Regex.Match(item.Prompt, @"Which is (\w+): ");
            if (question.Success)
            {
                numbers++;
                var listed = Numbers(item.Prompt);
                Assert.InRange(listed.Count, 2, 3);
                Assert.Equal(listed.Count, listed.Distinct().Count());
                bool larger = question.Groups[1].Value.StartsWith("larg", StringComparison.Ordinal);
                Assert.Equal((larger ? listed.Max() : listed.Min()).ToString(CultureInfo.InvariantCulture), item.Answer);
                // A scan in the listed order: each step compares the best so far (left) with the next number (right),
                // with the true sign.
                var steps = Regex.Matches(item.Reasoning, @"(\d+)([<>])(\d+)\.").ToList();
                Assert.Equal(listed.Count - 1, steps.Count);
                int best = listed[0];
                for (int i = 0; i < steps.Count; i++)
                {
                    int left = int.Parse(steps[i].Groups[1].Value, CultureInfo.InvariantCulture), right = int.Parse(steps[i].Groups[3].Value, CultureInfo.InvariantCulture);
                    Assert.Equal(best, left);
                    Assert.Equal(listed[i + 1], right);
                    Assert.Equal(left < right ? "<" : ">", steps[i].Groups[2].Value);
                    best = larger ? Math.Max(left, right) : Math.Min(left, right);
                }
                Assert.Equal(best.ToString(CultureInfo.InvariantCulture), item.Answer);
                continue;
            }

            people++;
            var chain = Regex.Match(item.Reasoning, @"^By (\w+): (\w+) > (\w+), so (\w+) is (\w+)\.$");
            Assert.True(chain.Success, $"{item.Id}: {item.Reasoning}");
            var order = new[] { chain.Groups[2].Value, chain.Groups[3].Value };
            Assert.NotEqual(order[0], order[1]);
            var (more, less) = dimensions[chain.Groups[1].Value];
            var fact = StatementPattern().Match(item.Prompt);
            Assert.True(fact.Success, item.Prompt);
            int subject = Array.IndexOf(order, fact.Groups[1].Value), other = Array.IndexOf(order, fact.Groups[3].Value);
            Assert.True(subject >= 0 && other >= 0, $"{item.Id}: {fact.Value} names someone else");
            string word = fact.Groups[2].Value;
            Assert.True(word == more ? subject < other : word == less && subject > other, $"{item.Id}: {fact.Value} contradicts {item.Reasoning}");
            var asked = Regex.Match(item.Prompt, @"Who is (\w+)\?").Groups[1].Value;
            Assert.Equal(asked, chain.Groups[4].Value);
            Assert.Equal(asked == more ? order[0] : order[1], item.Answer);
            Assert.Equal(item.Answer, chain.Groups[5].Value);
            Assert.Equal("Answer: " + item.Answer, item.FinalAnswer);
        }
        Assert.InRange(people, numbers / 2, numbers * 2);
    }

    [Fact]
    public void ChineseItemsAreChineseAndEverythingIsNfcAndShort()
    {
        foreach (var item in AllItems)
        {
            Assert.True(item.Prompt.IsNormalized(NormalizationForm.FormC), item.Id);
            Assert.True(item.Reasoning.IsNormalized(NormalizationForm.FormC), item.Id);
            bool chinese = item.Skill == "arith_zh";
            Assert.Equal(chinese ? "zh" : "en", item.Language);
            Assert.Equal(chinese, CjkPattern().IsMatch(item.Prompt));
            if (chinese)
            {
                Assert.Contains("。", item.Reasoning);
                Assert.EndsWith("只答数字。", item.Prompt);
                Assert.InRange(item.Prompt.Length, 20, 40);
            }
            else
            {
                Assert.True(Ascii(item.Prompt) && Ascii(item.Reasoning), item.Id);
                Assert.InRange(item.Prompt.Length, 20, 90);
            }
            // Answer instruction and final answer agree: a number alone, or a name after "Answer:".
            bool numeric = int.TryParse(item.Answer, NumberStyles.None, CultureInfo.InvariantCulture, out _);
            Assert.Equal(numeric, item.FinalAnswer == item.Answer);
            if (!chinese) Assert.EndsWith(numeric ? "Number only." : "Reply \"Answer: name\".", item.Prompt);
            Assert.InRange(item.Reasoning.Length, 4, 48); // "2<5." to a name puzzle's chain
            Assert.InRange(item.Answer.Length, 1, 3);
            Assert.True(item.Prompt.Length + item.Reasoning.Length + item.FinalAnswer.Length <= 150, item.Id);
        }
    }

    [Fact]
    public void TheVerifierAcceptsEveryWorkedSolutionAndRejectsAWrongAnswer()
    {
        foreach (var item in AllItems)
        {
            var right = AnswerVerifier.Default.Verify(item.FinalAnswer, item.Reasoning, item.Answer);
            Assert.True(right.Verdict == Verdict.Correct, $"{item.Id}: {item.FinalAnswer} → {right}");
            Assert.Equal(AnswerLocation.Final, right.ExtractedFrom);
            if (item.FinalAnswer == item.Answer)
                Assert.Equal(Verdict.Correct, AnswerVerifier.Default.Verify(item.Answer, item.Reasoning, item.Answer).Verdict);

            var wrong = Wrong(item);
            var verdict = AnswerVerifier.Default.Verify(wrong, item.Reasoning, item.Answer);
            Assert.True(verdict.Verdict == Verdict.Incorrect, $"{item.Id}: {wrong} → {verdict}");
        }
    }

    [Fact]
    public void AnswersAreSpreadWithinEachSkill()
    {
        foreach (var group in TrainItems.GroupBy(i => i.Skill))
        {
            var top = group.GroupBy(i => i.Answer).MaxBy(g => g.Count())!;
            Assert.True(top.Count() <= group.Count() / 5, $"{group.Key}: answer {top.Key} is {top.Count()} of {group.Count()}");
            Assert.True(group.Select(i => i.Answer).Distinct().Count() >= 20, group.Key);
        }
    }

    [Fact]
    public void PromptJsonlReadsBackThroughThePromptReader()
    {
        var path = TempPath("prompts.jsonl");
        try
        {
            var items = HeldoutItems;
            CurriculumGenerator.WritePromptsJsonl(path, items);
            var read = PromptReader.ReadFile(path);

            Assert.Equal(items.Count, read.Count);
            foreach (var (item, prompt) in items.Zip(read))
            {
                Assert.Equal((item.Id, item.Answer, item.Skill, item.Language), (prompt.Id, prompt.ReferenceAnswer, prompt.Skill, prompt.Language));
                Assert.Equal([ChatMessage.User(item.Prompt)], prompt.Messages);
            }
            Assert.Contains("小", File.ReadAllText(path)); // Chinese is written as is, not \u-escaped
            Assert.False(File.Exists(path + ".tmp"));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void SolutionJsonlReadsBackAsDatasetRecords()
    {
        var path = TempPath("solutions.jsonl");
        try
        {
            var items = TrainItems.Where((_, n) => n % 10 == 0).ToList();
            CurriculumGenerator.WriteSolutionsJsonl(path, items);
            var records = DatasetWriter.ReadShard(path);

            Assert.Equal(items.Count, records.Count);
            foreach (var (item, record) in items.Zip(records))
            {
                Assert.Equal($"{item.Id}/curriculum/0", record.Id);
                Assert.Equal((item.Id, item.Skill, item.Language), (record.PromptId, record.Skill, record.Language));
                Assert.Equal([("user", item.Prompt), ("assistant", item.FinalAnswer)], record.Messages.Select(m => (m.Role, m.Content)));
                Assert.Equal((item.Reasoning, item.FinalAnswer), (record.Reasoning, record.Answer));
                Assert.Equal(("curriculum", "generated"), (record.Teacher, record.License));
                Assert.False(record.GemmaTerms);
                Assert.Equal(("Correct", item.Answer), (record.Verification?.Verdict, record.Verification?.Reference));
            }
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static string TempPath(string name) => Path.Combine(Path.GetTempPath(), $"avocado-curriculum-{Guid.NewGuid():N}-{name}");

    /// <summary>A wrong final answer in the item's own format: the number plus one, or another name from the puzzle.</summary>
    private static string Wrong(CurriculumItem item)
    {
        if (item.FinalAnswer == item.Answer) return (int.Parse(item.Answer, CultureInfo.InvariantCulture) + 1).ToString(CultureInfo.InvariantCulture);
        var names = StatementPattern().Match(item.Prompt).Groups;
        var other = names[1].Value == item.Answer ? names[3].Value : names[1].Value;
        return "Answer: " + other;
    }

    private readonly record struct Equation(int Left, char Op, int Right, int Result);

    private static List<Equation> Equations(string reasoning) =>
        [.. EquationPattern().Matches(reasoning).Select(m => new Equation(int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture), m.Groups[2].Value[0],
            int.Parse(m.Groups[3].Value, CultureInfo.InvariantCulture), int.Parse(m.Groups[4].Value, CultureInfo.InvariantCulture)))];

    private static int Apply(int left, char op, int right) => op switch
    {
        '+' => left + right,
        '-' => left - right,
        '*' => left * right,
        '/' => left % right == 0 ? left / right : throw new InvalidOperationException($"{left}/{right} is not whole"),
        _ => throw new InvalidOperationException($"unknown operation {op}"),
    };

    private static List<int> Numbers(string text) => [.. NumberPattern().Matches(text).Select(m => int.Parse(m.Value, CultureInfo.InvariantCulture))];

    private static bool Ascii(string text) => text.All(char.IsAscii);

    [GeneratedRegex(@"(\d+)([-+*/])(\d+)=(\d+)")]
    private static partial Regex EquationPattern();

    [GeneratedRegex(@"\d+")]
    private static partial Regex NumberPattern();

    [GeneratedRegex(@"(\w+) is (\w+) than (\w+)\.")]
    private static partial Regex StatementPattern();

    [GeneratedRegex(@"\p{IsCJKUnifiedIdeographs}")]
    private static partial Regex CjkPattern();
}
