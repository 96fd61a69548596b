namespace Avocado.Data.Curriculum;

/// <summary>
/// Two-step word problems (+ and − only, a start of 1–20 changed by 1–9 twice, every intermediate and final count ≥ 1), the same
/// four patterns in English and Chinese: "Tom has 12 apples, buys 7, gives away 5. How many now?" →
/// "12+7=19. 19-5=14." → "14".
/// </summary>
internal static class ArithmeticProblems
{
    private enum Pattern { AddSub, SubAdd, AddAdd, SubSub }

    private readonly record struct Numbers(Pattern Pattern, int A, int B, int C)
    {
        public char First => Pattern is Pattern.AddSub or Pattern.AddAdd ? '+' : '-';
        public char Second => Pattern is Pattern.SubAdd or Pattern.AddAdd ? '+' : '-';
        public int Partial => First == '+' ? A + B : A - B;
        public int Result => Second == '+' ? Partial + C : Partial - C;

        // Shared by both languages: a held-out problem is held out in English and Chinese alike.
        public string Key => $"arith:{A}{First}{B}{Second}{C}";

        public string Steps(string stop, string space) => $"{A}{First}{B}={Partial}{stop}{space}{Partial}{Second}{C}={Result}{stop}";
    }

    private static readonly string[] EnglishNames = ["Tom", "Ann", "Sam", "Max", "Eva", "Ben", "Zoe", "Amy", "Leo", "Mia", "Kim", "Ray"];
    private static readonly string[] EnglishObjects = ["apples", "pens", "cards", "eggs", "books", "coins", "cups", "balls", "shells", "stamps"];

    private static readonly string[] ChineseNames = ["小明", "小红", "小华", "小丽", "小刚", "小芳", "小军", "小兰", "小东", "小美"];

    // (measure word, noun): 12个苹果, 7支铅笔.
    private static readonly (string Measure, string Noun)[] ChineseObjects =
    [
        ("个", "苹果"), ("支", "铅笔"), ("本", "书"), ("张", "卡片"), ("个", "鸡蛋"),
        ("颗", "糖"), ("个", "球"), ("枚", "硬币"), ("朵", "花"), ("块", "饼干"),
    ];

    public static CurriculumProblem English(CurriculumRandom random)
    {
        var n = Draw(random);
        var who = random.Pick(EnglishNames);
        var what = random.Pick(EnglishObjects);
        var question = n.Pattern switch
        {
            Pattern.AddSub => $"{who} has {n.A} {what}, buys {n.B}, gives away {n.C}. How many now?",
            Pattern.SubAdd => $"{who} has {n.A} {what}, loses {n.B}, then finds {n.C}. How many now?",
            Pattern.AddAdd => $"{who} has {n.A} {what}, buys {n.B}, then gets {n.C} more. How many now?",
            _ => $"{who} has {n.A} {what}, sells {n.B}, then sells {n.C}. How many left?",
        };
        return new CurriculumProblem(n.Key, $"{question} {AnswerInstructions.EnglishNumber}", n.Steps(".", " "), n.Result.ToString());
    }

    public static CurriculumProblem Chinese(CurriculumRandom random)
    {
        var n = Draw(random);
        var who = random.Pick(ChineseNames);
        var (m, noun) = random.Pick(ChineseObjects);
        var question = n.Pattern switch
        {
            Pattern.AddSub => $"{who}有{n.A}{m}{noun}，又买了{n.B}{m}，送出{n.C}{m}。现在有几{m}？",
            Pattern.SubAdd => $"{who}有{n.A}{m}{noun}，丢了{n.B}{m}，又找到{n.C}{m}。现在有几{m}？",
            Pattern.AddAdd => $"{who}有{n.A}{m}{noun}，又买了{n.B}{m}，再得到{n.C}{m}。现在有几{m}？",
            _ => $"{who}有{n.A}{m}{noun}，卖了{n.B}{m}，又卖了{n.C}{m}。还剩几{m}？",
        };
        return new CurriculumProblem(n.Key, question + AnswerInstructions.ChineseNumber, n.Steps("。", ""), n.Result.ToString());
    }

    /// <summary>A start of 1–20 changed twice by 1–9: two digits meet one digit, with carries and borrows, which a small
    /// model learns in minutes (two-digit ± two-digit takes it several times longer).</summary>
    private static Numbers Draw(CurriculumRandom random)
    {
        const int MaxStart = 20, MaxStep = 9;
        var pattern = (Pattern)random.Between(0, 3);
        switch (pattern)
        {
            case Pattern.AddSub:
            {
                int a = random.Between(1, MaxStart), b = random.Between(1, MaxStep);
                return new Numbers(pattern, a, b, random.Between(1, Math.Min(MaxStep, a + b - 1)));
            }
            case Pattern.SubAdd:
            {
                int a = random.Between(2, MaxStart);
                return new Numbers(pattern, a, random.Between(1, Math.Min(MaxStep, a - 1)), random.Between(1, MaxStep));
            }
            case Pattern.AddAdd:
                return new Numbers(pattern, random.Between(1, MaxStart), random.Between(1, MaxStep), random.Between(1, MaxStep));
            default:
            {
                int a = random.Between(3, MaxStart), b = random.Between(1, Math.Min(MaxStep, a - 2));
                return new Numbers(pattern, a, b, random.Between(1, Math.Min(MaxStep, a - b - 1)));
            }
        }
    }
}
