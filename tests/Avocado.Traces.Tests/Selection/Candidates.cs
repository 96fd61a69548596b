using Avocado.Data.Prompts;
using Avocado.Traces.Selection;
using Avocado.Data.Verification;
using Avocado.Text.Chat;

namespace Avocado.Traces.Tests.Selection;

/// <summary>Builds prompts and verified candidates for the selection tests.</summary>
internal static class Candidates
{
    public static PromptItem Prompt(string? reference, string? skill = null) =>
        new("p1", [ChatMessage.User("question")], reference, skill, "en", "test");

    /// <summary>A reply verified against the reference with the real verifier (family = teacher's prefix before '-').</summary>
    public static Candidate Reply(string teacher, string answer, string? reference, int tokens = 100, int sample = 0, string? reasoning = null) =>
        new(teacher, teacher.Split('-')[0], answer, reasoning, tokens, AnswerVerifier.Default.Verify(answer, reasoning, reference)) { Sample = sample };

    public static string[] Labels(SelectionResult result) => result.Selected.Select(s => s.Candidate.Label).ToArray();
}
