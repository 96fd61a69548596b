using Avocado.Text.Chat;

namespace Avocado.Text.Tests.Chat;

internal static class ReplyAssert
{
    public static void Same(ParsedReply expected, ParsedReply actual, string what = "")
    {
        Assert.True(expected.Reasoning == actual.Reasoning, $"{what} reasoning: expected {Show(expected.Reasoning)}, got {Show(actual.Reasoning)}");
        Assert.True(expected.Content == actual.Content, $"{what} content: expected {Show(expected.Content)}, got {Show(actual.Content)}");
        Assert.True(expected.ToolCalls.Count == actual.ToolCalls.Count,
            $"{what} tool calls: expected {expected.ToolCalls.Count}, got {actual.ToolCalls.Count}: {string.Join("; ", actual.ToolCalls)}");
        for (int i = 0; i < expected.ToolCalls.Count; i++)
            Assert.True(expected.ToolCalls[i] == actual.ToolCalls[i], $"{what} tool call {i}: expected {expected.ToolCalls[i]}, got {actual.ToolCalls[i]}");
    }

    private static string Show(string? s) => s is null ? "null" : "\"" + s.Replace("\n", "\\n") + "\"";
}
