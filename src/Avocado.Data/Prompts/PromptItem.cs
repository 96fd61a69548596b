using Avocado.Text.Chat;

namespace Avocado.Data.Prompts;

/// <summary>
/// One prompt to send to the teachers: its id (unique within a prompt set; a content hash when the file gave none),
/// the conversation so far (ending in a user turn), the short reference answer when there is one (already extracted
/// from a worked solution: "72", not "… #### 72"), the skill used for routing ("math", "code", …), the language,
/// and where it came from (the file, or the record's own "source" field) for provenance.
/// </summary>
public sealed record PromptItem(
    string Id,
    IReadOnlyList<ChatMessage> Messages,
    string? ReferenceAnswer,
    string? Skill,
    string? Language,
    string Source)
{
    /// <summary>The text of every message, one per line (what decontamination compares).</summary>
    public string PromptText => string.Join("\n", Messages.Select(m => m.Content).Where(c => !string.IsNullOrEmpty(c)));
}
