using Avocado.Data.Prompts;
using Avocado.Text.Chat;

namespace Avocado.Data.Tests.Prompts;

public sealed class PromptReaderTests : IDisposable
{
    private readonly PromptFiles _files = new();

    public void Dispose() => _files.Dispose();

    [Fact]
    public void ReadsJsonlWithMessagesOrPrompt()
    {
        var path = _files.Write("mixed.jsonl",
            """{"id": "a1", "messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "2+2?"}], "reference": "4", "skill": "math", "language": "en"}""",
            "",
            """{"id": 7, "prompt": "Capital of France?", "answer": "Paris", "domain": "geo", "source": "trivia-v2"}""",
            """{"prompt": "Write a haiku."}""");

        var items = PromptReader.ReadFile(path);

        Assert.Equal(3, items.Count);
        var first = items[0];
        Assert.Equal(("a1", "4", "math", "en", path), (first.Id, first.ReferenceAnswer, first.Skill, first.Language, first.Source));
        Assert.Equal([ChatMessage.System("Be brief."), ChatMessage.User("2+2?")], first.Messages);
        var second = items[1];
        Assert.Equal(("7", "Paris", "geo", "trivia-v2"), (second.Id, second.ReferenceAnswer, second.Skill, second.Source));
        Assert.Equal([ChatMessage.User("Capital of France?")], second.Messages);
        Assert.Null(items[2].ReferenceAnswer);
        Assert.Null(items[2].Skill);
    }

    [Fact]
    public void ReadsGsm8kAndTakesTheAnswerAfterTheHashMarks()
    {
        var path = _files.Write("gsm8k.jsonl",
            """{"question": "Natalia sold clips to 48 of her friends in April, and then she sold half as many clips in May. How many clips did Natalia sell altogether in April and May?", "answer": "Natalia sold 48/2 = <<48/2=24>>24 clips in May.\nNatalia sold 48+24 = <<48+24=72>>72 clips altogether in April and May.\n#### 72"}""",
            """{"question": "A big number?", "answer": "It is big.\n#### 1,000"}""");

        var items = PromptReader.ReadFile(path);

        Assert.Equal(["72", "1,000"], items.Select(i => i.ReferenceAnswer));
        Assert.All(items, i => Assert.Equal("math", i.Skill));
        Assert.StartsWith("Natalia sold clips", Assert.Single(items[0].Messages).Content);
        Assert.Equal(ChatRoles.User, items[0].Messages[0].Role);
    }

    [Fact]
    public void ReadsMathWithBoxedAnswersOrAnAnswerField()
    {
        var path = _files.Write("math.jsonl",
            """{"problem": "Simplify.", "solution": "We get $\\boxed{\\frac{\\sqrt{3}}{2}}$.", "level": "Level 3", "type": "Algebra"}""",
            """{"problem": "Find the set.", "solution": "So $\\boxed{\\{1, 2\\}}$"}""",
            """{"problem": "Brace-less.", "solution": "The answer is $\\boxed 5$."}""",
            """{"problem": "With both.", "solution": "\\boxed{0.5}", "answer": "\\frac{1}{2}", "unique_id": "test/algebra/1.json"}""",
            """{"problem": "An fbox.", "solution": "\\fbox{9}", "skill": "arithmetic"}""");

        var items = PromptReader.ReadFile(path);

        Assert.Equal([@"\frac{\sqrt{3}}{2}", @"\{1, 2\}", "5", @"\frac{1}{2}", "9"], items.Select(i => i.ReferenceAnswer));
        Assert.Equal("test/algebra/1.json", items[3].Id);
        Assert.Equal(["math", "math", "math", "math", "arithmetic"], items.Select(i => i.Skill));
    }

    [Fact]
    public void AWorkedSolutionInAJsonlAnswerIsReducedToItsAnswer()
    {
        var items = PromptReader.Read(new StringReader("""{"prompt": "q", "reference": "work\n#### 12"}"""), "inline");
        Assert.Equal("12", Assert.Single(items).ReferenceAnswer);
    }

    [Fact]
    public void GeneratedIdsDependOnContentOnly()
    {
        var a = _files.Write("a.jsonl", """{"prompt": "What is 6*7?", "reference": "42"}""", """{"prompt": "What is 6*8?"}""");
        var b = _files.Write("b.jsonl", """{"prompt": "What is 6*8?", "skill": "x"}""", """{"prompt": "What is 6*7?"}""");

        var first = PromptReader.ReadFile(a);
        var second = PromptReader.ReadFile(b);

        Assert.Equal(first[0].Id, second[1].Id); // same messages, other line, other file, other reference
        Assert.Equal(first[1].Id, second[0].Id);
        Assert.NotEqual(first[0].Id, first[1].Id);
        Assert.Matches("^[0-9a-f]{16}$", first[0].Id);
        Assert.Equal(PromptIds.FromContent([ChatMessage.User("What is 6*7?")]), first[0].Id);
        Assert.NotEqual(PromptIds.FromContent([ChatMessage.User("ab"), ChatMessage.User("c")]),
            PromptIds.FromContent([ChatMessage.User("a"), ChatMessage.User("bc")]));
        Assert.NotEqual(PromptIds.FromContent([ChatMessage.User("hi")]), PromptIds.FromContent([ChatMessage.System("hi")]));
    }

    public static TheoryData<string[], PromptFileKind, int, string?, string> MalformedLines() => new()
    {
        { ["""{"prompt": "fine"}""", "{\"prompt\": \"broken"], PromptFileKind.Auto, 2, null, "not valid JSON" },
        { ["""{"prompt": "fine"}""", "[1, 2]"], PromptFileKind.Auto, 2, null, "expected a JSON object, not an array" },
        { ["""{"text": "hello"}"""], PromptFileKind.Auto, 1, null, "cannot tell the layout" },
        { ["""{"prompt": "a"}""", """{"text": "b"}"""], PromptFileKind.Auto, 2, "messages", "missing \"messages\" or \"prompt\"" },
        { ["""{"prompt": 5}"""], PromptFileKind.Jsonl, 1, "prompt", "field \"prompt\" must be a string, not a number" },
        { ["""{"prompt": ["a"]}"""], PromptFileKind.Jsonl, 1, "prompt", "field \"prompt\" must be a string, not an array" },
        { ["""{"prompt": "   "}"""], PromptFileKind.Jsonl, 1, "prompt", "field \"prompt\" is empty" },
        { ["""{"prompt": "a", "messages": [{"role": "user", "content": "b"}]}"""], PromptFileKind.Auto, 1, "messages", "both \"messages\" and \"prompt\"" },
        { ["""{"messages": {"role": "user"}}"""], PromptFileKind.Auto, 1, "messages", "must be an array of messages, not an object" },
        { ["""{"messages": []}"""], PromptFileKind.Auto, 1, "messages", "field \"messages\" is empty" },
        { ["""{"messages": [{"content": "hi"}]}"""], PromptFileKind.Auto, 1, "messages", "missing \"role\"" },
        { ["""{"messages": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "4"}]}"""], PromptFileKind.Auto, 1, "messages", "the last message is from the assistant" },
        { ["""{"prompt": "a", "reference": ""}"""], PromptFileKind.Auto, 1, "reference", "field \"reference\" is empty" },
        { ["""{"prompt": "a", "skill": {"x": 1}}"""], PromptFileKind.Auto, 1, "skill", "field \"skill\" must be a string, not an object" },
        { ["""{"question": "q", "answer": "#### 1"}""", """{"question": "q2", "answer": "no marker"}"""], PromptFileKind.Auto, 2, "answer", "has no final \"#### <answer>\" line" },
        { ["""{"question": "q"}"""], PromptFileKind.Auto, 1, "answer", "missing field \"answer\" (GSM8K records" },
        { ["""{"prompt": "q", "answer": "5"}"""], PromptFileKind.Gsm8k, 1, "question", "missing field \"question\"" },
        { ["""{"problem": "p", "solution": "it is 5"}"""], PromptFileKind.Auto, 1, "solution", "has no complete \\boxed{…} answer" },
        { ["""{"problem": "p", "solution": "\\boxed{5"}"""], PromptFileKind.Math, 1, "solution", "has no complete \\boxed{…} answer" },
        { ["""{"problem": "p"}"""], PromptFileKind.Math, 1, "solution", "missing \"solution\" or \"answer\"" },
        { ["""{"id": "x", "prompt": "a"}""", "", """{"id": "x", "prompt": "b"}"""], PromptFileKind.Auto, 3, "id", "id \"x\" is already used at line 1" },
        { ["""{"prompt": "same"}""", """{"prompt": "same"}"""], PromptFileKind.Auto, 2, "id", "this prompt repeats the one at line 1" },
    };

    [Theory]
    [MemberData(nameof(MalformedLines))]
    public void MalformedLinesNameFileLineAndField(string[] lines, PromptFileKind kind, int line, string? field, string expected)
    {
        var path = _files.Write("bad.jsonl", lines);
        var e = Assert.Throws<PromptFileException>(() => PromptReader.ReadFile(path, kind));
        Assert.Equal((path, line, field), (e.File, e.Line, e.Field));
        Assert.StartsWith($"{path} line {line}: ", e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void DuplicateIdsAcrossFilesNameBothFiles()
    {
        var a = _files.Write("a.jsonl", """{"id": "q1", "prompt": "a"}""");
        var b = _files.Write("b.jsonl", """{"prompt": "b"}""", """{"id": "q1", "prompt": "c"}""");
        var e = Assert.Throws<PromptFileException>(() => PromptReader.ReadFiles([a, b]));
        Assert.Equal((b, 2), (e.File, e.Line));
        Assert.Contains($"already used at {a} line 1", e.Message);
    }

    [Fact]
    public void EmptyAndMissingFilesAreErrors()
    {
        var empty = _files.Write("empty.jsonl", "", "  ");
        var e = Assert.Throws<PromptFileException>(() => PromptReader.ReadFile(empty));
        Assert.Equal($"{empty}: the file holds no prompts (every line is blank)", e.Message);

        var missing = Path.Combine(Path.GetTempPath(), "avocado-no-such-dir", "prompts.jsonl");
        var m = Assert.Throws<PromptFileException>(() => PromptReader.ReadFile(missing));
        Assert.StartsWith($"{missing}: cannot read the file", m.Message);
    }

    [Fact]
    public void AnExplicitLayoutIsEnforcedOnEveryLine()
    {
        // Auto would read this as JSONL; told it is GSM8K, the reader insists on GSM8K fields.
        var path = _files.Write("gsm.jsonl", """{"prompt": "q", "reference": "1"}""");
        Assert.Single(PromptReader.ReadFile(path));
        var e = Assert.Throws<PromptFileException>(() => PromptReader.ReadFile(path, PromptFileKind.Gsm8k));
        Assert.Equal("question", e.Field);
    }

    [Fact]
    public void PromptTextJoinsTheMessages()
    {
        var item = Assert.Single(PromptReader.Read(new StringReader(
            """{"messages": [{"role": "system", "content": "Sys."}, {"role": "user", "content": "Ask."}]}"""), "inline"));
        Assert.Equal("Sys.\nAsk.", item.PromptText);
    }
}
