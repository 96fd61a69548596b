using Avocado.Text.Chat;

namespace Avocado.Text.Tests.Chat;

/// <summary>
/// Every family renders each conversation exactly as the model's own Jinja chat template does (rendered at test
/// time by python3 + Jinja2 with transformers' settings; see TemplateReference), under several option sets.
/// </summary>
public class TemplateParityTests
{
    private static readonly DateOnly Date = new(2025, 8, 5);

    public static TheoryData<string, string> Cases()
    {
        var data = new TheoryData<string, string>();
        string[] common = ["basic", "user_only", "multi_turn", "thinking_history", "final_assistant", "final_assistant_no_reasoning", "unicode_escapes_no_tools"];
        string[] tools = ["tools_pending", "tools_content_as_analysis", "tools_full_turn", "tools_multi_step", "tools_rich_schema", "unicode_escapes"];
        foreach (var f in common.Concat(tools).Append("tools_parallel")) data.Add("qwen3", f);
        foreach (var f in common.Append("gemma_whitespace")) data.Add("gemma3", f);
        foreach (var f in common.Concat(tools)) data.Add("gpt-oss", f);
        return data;
    }

    /// <summary>The option sets each family is rendered with.</summary>
    private static IReadOnlyList<ChatOptions> OptionSets(string family) => family switch
    {
        "qwen3" =>
        [
            new ChatOptions { AddGenerationPrompt = true, EnableThinking = true },
            new ChatOptions { AddGenerationPrompt = true, EnableThinking = false },
            new ChatOptions { AddGenerationPrompt = false },
        ],
        "gemma3" => [new ChatOptions { AddGenerationPrompt = true }, new ChatOptions { AddGenerationPrompt = false }],
        _ =>
        [
            new ChatOptions { AddGenerationPrompt = true, CurrentDate = Date },
            new ChatOptions { AddGenerationPrompt = false, Effort = ReasoningEffort.Low, CurrentDate = Date },
            new ChatOptions { AddGenerationPrompt = true, Effort = ReasoningEffort.High, CurrentDate = new DateOnly(2026, 1, 31) },
        ],
    };

    internal static ChatConversation Load(string fixture)
    {
        if (fixture == "unicode_escapes_no_tools")
        {
            // The same texts without tool calls (for every family, Gemma 3 included).
            var c = TemplateReference.Fixture("unicode_escapes");
            var messages = c.Messages.Take(2).Append(ChatMessage.Assistant("Très bien 😀 \"ok\"", reasoning: "Thinking — fine.")).Append(c.Messages[1]).ToList();
            return new ChatConversation(messages, []);
        }
        return TemplateReference.Fixture(fixture);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void RendersAsTheModelsOwnTemplate(string family, string fixture)
    {
        var conversation = Load(fixture);
        var format = ChatFormats.For(family);
        var optionSets = OptionSets(family);
        var cases = optionSets.Select(o => new ReferenceCase(conversation.Messages, conversation.Tools, o with { Tools = conversation.Tools })).ToList();
        var expected = TemplateReference.Render(family, cases);
        for (int i = 0; i < cases.Count; i++)
        {
            Assert.True(expected[i].Ok, $"{family}/{fixture} option set {i}: the reference template failed: {expected[i].Error}");
            string actual = format.Render(conversation.Messages, cases[i].Options);
            AssertSameText(expected[i].Text, actual, $"{family}/{fixture} option set {i} ({cases[i].Options})");
        }
    }

    [Fact]
    public void GptOssCustomModelIdentityMatchesTheTemplate()
    {
        var conversation = Load("basic");
        var options = new ChatOptions { CurrentDate = Date, Effort = ReasoningEffort.High };
        const string identity = "You are Avocado, a distilled student model.";
        var expected = TemplateReference.Render("gpt-oss", new ReferenceCase(conversation.Messages, null, options) { ModelIdentity = identity });
        Assert.True(expected.Ok, expected.Error);
        AssertSameText(expected.Text, new HarmonyChatFormat(identity).Render(conversation.Messages, options), "gpt-oss custom identity");
    }

    [Fact]
    public void GptOssDefaultDateIsToday()
    {
        string text = ChatFormats.For("gpt-oss").Render([ChatMessage.User("hi")], new ChatOptions());
        string today = DateTime.Now.ToString("yyyy-MM-dd");
        string yesterday = DateTime.Now.AddDays(-1).ToString("yyyy-MM-dd");   // the clock may pass midnight
        Assert.True(text.Contains("Current date: " + today + "\n") || text.Contains("Current date: " + yesterday + "\n"), text);
    }

    internal static void AssertSameText(string expected, string actual, string what)
    {
        if (expected == actual) return;
        int i = 0;
        while (i < expected.Length && i < actual.Length && expected[i] == actual[i]) i++;
        static string Around(string s, int at) => s.Substring(Math.Max(0, at - 80), Math.Min(s.Length, at + 80) - Math.Max(0, at - 80));
        Assert.Fail($"{what}: the rendering differs from the template's at char {i} (expected length {expected.Length}, actual {actual.Length}).\n" +
                    $"--- template, around it:\n{Around(expected, i)}\n--- ours, around it:\n{Around(actual, i)}\n--- template, whole:\n{expected}\n--- ours, whole:\n{actual}");
    }
}
