using Avocado.Traces.Decontamination;
using Avocado.Data.Prompts;
using Avocado.Text.Chat;

namespace Avocado.Traces.Tests.Decontamination;

public class DecontaminatorTests
{
    private const string EvalQuestion =
        "Janet's ducks lay 16 eggs per day. She eats three for breakfast every morning and bakes muffins for her friends every day with four.";

    private static readonly EvalItem[] Eval =
    [
        new("gsm8k-test", "gsm8k-0", EvalQuestion),
        new("math-500", "math-7", "Find the sum of all integer solutions of the inequality below."), // 10 words: matched whole
        new("mmlu", "mmlu-1", "Which is largest?"), // 3 words: too short to match anything
    ];

    private static PromptItem Prompt(string id, string text, string? reference = null) =>
        new(id, [ChatMessage.User(text)], reference, "math", "en", "train.jsonl");

    [Fact]
    public void DropsAPromptQuotingAnEvalItemAndReportsWhere()
    {
        var prompts = new[]
        {
            Prompt("clean", "A farmer has 12 cows and buys 5 more. How many cows does the farmer have now?"),
            // same words, other case and punctuation, inside a longer prompt
            Prompt("leaked", "Solve: JANET'S ducks lay 16 eggs per day; she eats three for breakfast, every morning! How much is left?"),
        };
        var result = new Decontaminator(Eval).Filter(prompts);

        Assert.Equal(["clean"], result.Kept.Select(p => p.Id));
        Assert.Equal(["leaked"], result.Dropped.Select(p => p.Id));
        var hit = Assert.Single(result.Report.Hits);
        Assert.Equal(("leaked", "prompt", "gsm8k-test", "gsm8k-0"), (hit.PromptId, hit.Field, hit.EvalSet, hit.EvalItemId));
        Assert.Equal(13, hit.OverlappingNGram.Split(' ').Length);
        Assert.Contains(hit.OverlappingNGram, Normalised(EvalQuestion));
        // "janet s ducks … every morning" is 15 shared words: the 13-grams starting at its first 3 words overlap
        Assert.Equal(3, hit.OverlapCount);
        Assert.Equal((13, 2, 1, 3, 1), (result.Report.N, result.Report.PromptsChecked, result.Report.PromptsDropped, result.Report.EvalItems,
            result.Report.EvalItemsTooShort));
    }

    [Fact]
    public void TwelveSharedWordsAreNotAThirteenGram()
    {
        var twelve = string.Join(' ', Normalised(EvalQuestion).Split(' ').Take(12));
        var thirteen = string.Join(' ', Normalised(EvalQuestion).Split(' ').Take(13));
        var d = new Decontaminator(Eval);
        Assert.Null(d.FindOverlap("Intro. " + twelve + " and then something else entirely."));
        Assert.NotNull(d.FindOverlap("Intro. " + thirteen + " and then something else entirely."));
    }

    [Fact]
    public void NIsConfigurable()
    {
        var d = new Decontaminator(Eval, new DecontaminationOptions { N = 5 });
        var overlap = d.FindOverlap("Sixteen? No: she eats three for breakfast today.");
        Assert.NotNull(overlap);
        Assert.Equal(("gsm8k-0", "she eats three for breakfast"), (overlap.Value.Item.Id, overlap.Value.NGram));
        Assert.Null(new Decontaminator(Eval).FindOverlap("Sixteen? No: she eats three for breakfast today."));
    }

    [Fact]
    public void ShortEvalItemsMatchWholeAndTooShortOnesNever()
    {
        var d = new Decontaminator(Eval);
        var whole = d.FindOverlap("Exercise 3. Find the sum of all integer solutions of the inequality below: |x| < 3.");
        Assert.Equal("math-7", whole?.Item.Id);
        Assert.Null(d.FindOverlap("Find the sum of all integer solutions.")); // part of a short item is not enough
        Assert.Null(d.FindOverlap("Which is largest? 3, 7 or 5.")); // "mmlu-1" has too few words to count
        Assert.Equal(1, d.EvalItemsTooShort);
    }

    [Fact]
    public void ReferenceAnswersAreCheckedOnlyWhenAsked()
    {
        var prompts = new[] { Prompt("p", "Retell the duck story.", reference: EvalQuestion) };
        Assert.Empty(new Decontaminator(Eval).Filter(prompts).Dropped);
        var result = new Decontaminator(Eval, new DecontaminationOptions { CheckReferenceAnswers = true }).Filter(prompts);
        Assert.Equal("reference", Assert.Single(result.Report.Hits).Field);
    }

    [Fact]
    public void MinimumOverlapsRaisesTheBar()
    {
        var prompt = Prompt("p", string.Join(' ', Normalised(EvalQuestion).Split(' ').Take(14))); // two 13-grams
        Assert.Single(new Decontaminator(Eval, new DecontaminationOptions { MinimumOverlaps = 2 }).Filter([prompt]).Dropped);
        Assert.Empty(new Decontaminator(Eval, new DecontaminationOptions { MinimumOverlaps = 3 }).Filter([prompt]).Dropped);
    }

    [Fact]
    public void ChineseIsSplitIntoCharacters()
    {
        var eval = new EvalItem("cmath", "c1", "小明有三个苹果，他又买了五个苹果，现在他一共有多少个苹果？");
        var d = new Decontaminator([eval]);
        Assert.NotNull(d.FindOverlap("题目：小明有三个苹果，他又买了五个苹果，现在他一共有几个？"));
        Assert.Null(d.FindOverlap("小红有两个梨子，她又买了三个梨子。"));
    }

    [Fact]
    public void EvalItemsComeFromPromptItems()
    {
        var item = Prompt("gsm-1", EvalQuestion, reference: "18");
        Assert.Equal(EvalQuestion, EvalItem.FromPrompt("gsm8k", item).Text);
        Assert.EndsWith("\n18", EvalItem.FromPrompt("gsm8k", item, includeReference: true).Text);
    }

    [Fact]
    public void ReportIsWrittenAsJsonl()
    {
        var result = new Decontaminator(Eval).Filter([Prompt("leaked", EvalQuestion)]);
        var writer = new StringWriter();
        result.Report.WriteJsonl(writer);
        var lines = writer.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        using var summary = System.Text.Json.JsonDocument.Parse(lines[0]);
        Assert.Equal("summary", summary.RootElement.GetProperty("type").GetString());
        Assert.Equal(1, summary.RootElement.GetProperty("prompts_dropped").GetInt32());
        using var hit = System.Text.Json.JsonDocument.Parse(lines[1]);
        Assert.Equal("hit", hit.RootElement.GetProperty("type").GetString());
        Assert.Equal("gsm8k-0", hit.RootElement.GetProperty("eval_item_id").GetString());
        Assert.Equal("leaked", hit.RootElement.GetProperty("prompt_id").GetString());
    }

    [Fact]
    public void ManyPromptsAgainstManyEvalItems()
    {
        // 2,000 eval items and 20,000 prompts of ~40 words; every 1,000th prompt quotes an eval item.
        var random = new Random(1234);
        string Sentence(int words) => string.Join(' ', Enumerable.Range(0, words).Select(_ => "w" + random.Next(5000)));
        var eval = Enumerable.Range(0, 2000).Select(i => new EvalItem("set", "e" + i, Sentence(40))).ToArray();
        var prompts = Enumerable.Range(0, 20000)
            .Select(i => Prompt("p" + i, i % 1000 == 0 ? "Quote: " + eval[i / 1000].Text : Sentence(40)))
            .ToArray();

        var result = new Decontaminator(eval).Filter(prompts);

        Assert.Equal(Enumerable.Range(0, 20).Select(k => "p" + k * 1000), result.Dropped.Select(p => p.Id));
        Assert.Equal(Enumerable.Range(0, 20).Select(k => "e" + k), result.Report.Hits.Select(h => h.EvalItemId));
        Assert.Equal(19980, result.Kept.Count);
    }

    [Fact]
    public void BadOptionsNameTheOption()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new Decontaminator(Eval, new DecontaminationOptions { N = 0 }));
        Assert.Contains("DecontaminationOptions.N", e.Message);
    }

    // What the matcher compares: lower case, non-letters as spaces, single spaces.
    private static string Normalised(string text) =>
        string.Join(' ', new string(text.Select(c => char.IsLetterOrDigit(c) ? char.ToLowerInvariant(c) : ' ').ToArray())
            .Split(' ', StringSplitOptions.RemoveEmptyEntries));
}
