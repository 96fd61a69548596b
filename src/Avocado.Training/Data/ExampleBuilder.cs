using System.Text;
using Avocado.Data.Dataset;
using Avocado.Text.Chat;
using Avocado.Text.Tokenizers;

namespace Avocado.Training.Data;

/// <summary>Renders dataset records in a chat format and tokenizes them with offsets, marking the assistant turn.</summary>
public sealed class ExampleBuilder(ITokenizer tokenizer, IChatFormat format)
{
    /// <summary>Rendering options: fixed so that the same record always gives the same tokens (gpt-oss's date line).</summary>
    public static ChatOptions Options { get; } = new() { CurrentDate = new DateOnly(2025, 1, 1) };

    public TrainingExample Build(DatasetRecord record, int index)
    {
        var (prompt, assistant) = Conversation(record, format.Family);
        var promptText = format.Render(prompt, Options with { AddGenerationPrompt = true });
        var fullText = format.Render([.. prompt, assistant], Options with { AddGenerationPrompt = false });
        if (!fullText.StartsWith(promptText, StringComparison.Ordinal))
            throw new InvalidDataException($"record {record.Id}: the {format.Family} rendering of the conversation does not start with its generation prompt; cannot mark the assistant turn");
        int promptBytes = Encoding.UTF8.GetByteCount(promptText);
        var tokens = tokenizer.EncodeWithOffsets(fullText, parseSpecial: true, addSpecialTokens: false);
        int first = 0;
        while (first < tokens.Ids.Count && tokens.ByteOffsets[first].Start < promptBytes) first++;
        if (first == 0 || first >= tokens.Ids.Count)
            throw new InvalidDataException($"record {record.Id}: no assistant tokens after the prompt (empty answer?)");
        // Reasoning and answer as the teacher wrote them: every format renders them verbatim, in this order.
        var segments = new List<string>();
        if (!string.IsNullOrEmpty(record.Reasoning)) segments.Add(record.Reasoning);
        if (!string.IsNullOrEmpty(record.Answer)) segments.Add(record.Answer);
        return new TrainingExample
        {
            Index = index, Record = record, Text = fullText, PromptBytes = promptBytes,
            Ids = [.. tokens.Ids], Offsets = [.. tokens.ByteOffsets], FirstTarget = first, Segments = segments,
        };
    }

    /// <summary>The prompt messages and the assistant turn. Gemma 3 has no reasoning channel: its reasoning is written
    /// before the answer, separated by a blank line, so a Gemma-format student still learns to think first.</summary>
    public static (List<ChatMessage> Prompt, ChatMessage Assistant) Conversation(DatasetRecord record, string family)
    {
        var prompt = new List<ChatMessage>();
        foreach (var m in record.Messages)
        {
            if (m.Role == ChatRoles.Assistant && ReferenceEquals(m, record.Messages[^1])) break;
            prompt.Add(new ChatMessage(m.Role, m.Content ?? ""));
        }
        var answer = record.Answer.Length > 0 ? record.Answer : record.Messages.LastOrDefault(m => m.Role == ChatRoles.Assistant)?.Content ?? "";
        var reasoning = string.IsNullOrEmpty(record.Reasoning) ? null : record.Reasoning;
        if (prompt.Count == 0) throw new InvalidDataException($"record {record.Id}: no prompt messages");
        var assistant = family == "gemma3" && reasoning is not null
            ? ChatMessage.Assistant(reasoning + "\n\n" + answer)
            : ChatMessage.Assistant(answer, reasoning);
        return (prompt, assistant);
    }
}
