using System.Text.Json;
using Avocado.Data.Verification;
using Avocado.Text.Chat;

namespace Avocado.Data.Prompts;

/// <summary>How each <see cref="PromptFileKind"/> maps a record's fields to a <see cref="PromptItem"/>.</summary>
internal static class PromptLayouts
{
    private const string JsonlHint = "a prompt record has \"messages\" (an OpenAI-style array) or \"prompt\" (a string)";
    private const string Gsm8kHint = "GSM8K records have \"question\" and \"answer\", the answer ending in a line \"#### <answer>\"";
    private const string MathHint = "MATH records have \"problem\" and a \"solution\" with \\boxed{<answer>}, or a short \"answer\"";

    /// <summary>The layout of a file, from its first record (for <see cref="PromptFileKind.Auto"/>).</summary>
    public static PromptFileKind Detect(PromptRecord record)
    {
        if (record.Has("messages") || record.Has("prompt")) return PromptFileKind.Jsonl;
        if (record.Has("question")) return PromptFileKind.Gsm8k;
        if (record.Has("problem")) return PromptFileKind.Math;
        var fields = string.Join(", ", record.Root.EnumerateObject().Select(p => $"\"{p.Name}\""));
        throw record.Error(null,
            $"cannot tell the layout: expected \"messages\" or \"prompt\" (JSONL), \"question\" (GSM8K) or \"problem\" (MATH), found {(fields.Length == 0 ? "no fields" : fields)}");
    }

    public static PromptItem Read(PromptRecord record, PromptFileKind kind, string source) => kind switch
    {
        PromptFileKind.Jsonl => ReadJsonl(record, source),
        PromptFileKind.Gsm8k => ReadGsm8k(record, source),
        PromptFileKind.Math => ReadMath(record, source),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "the layout must be decided before reading a record"),
    };

    private static PromptItem ReadJsonl(PromptRecord record, string source)
    {
        IReadOnlyList<ChatMessage> messages;
        if (record.Has("messages") && record.Has("prompt"))
            throw record.Error("messages", "both \"messages\" and \"prompt\" are given; keep one");
        if (record.Has("messages")) messages = ReadMessages(record);
        else if (record.Has("prompt")) messages = [ChatMessage.User(record.RequiredText("prompt", JsonlHint))];
        else throw record.Error("messages", $"missing \"messages\" or \"prompt\" ({JsonlHint})");

        string? reference = null;
        if (record.FirstText(["reference", "answer"], allowNumber: true) is { } given)
        {
            reference = AnswerVerifier.ReferenceAnswer(given.Value)
                ?? throw record.Error(given.Field, $"field \"{given.Field}\" holds no answer");
        }
        return Build(record, messages, reference, defaultSkill: null, source);
    }

    private static PromptItem ReadGsm8k(PromptRecord record, string source)
    {
        var question = record.RequiredText("question", Gsm8kHint);
        var answer = record.RequiredText("answer", Gsm8kHint);
        var reference = AnswerMarkers.AfterHashMarks(answer)
            ?? throw record.Error("answer", "field \"answer\" has no final \"#### <answer>\" line; GSM8K answers end with one "
                + "(for short answers without it, use the JSONL layout: \"prompt\" and \"reference\")");
        return Build(record, [ChatMessage.User(question)], reference, defaultSkill: "math", source);
    }

    private static PromptItem ReadMath(PromptRecord record, string source)
    {
        var problem = record.RequiredText("problem", MathHint);
        string reference;
        if (record.FirstText(["answer"], allowNumber: true) is { } shortAnswer) reference = shortAnswer.Value.Trim();
        else if (record.Has("solution"))
        {
            var solution = record.RequiredText("solution", MathHint);
            reference = AnswerMarkers.LastBoxed(solution)
                ?? throw record.Error("solution", "field \"solution\" has no complete \\boxed{…} answer and there is no \"answer\" field; "
                    + "add one of them");
        }
        else throw record.Error("solution", $"missing \"solution\" or \"answer\" ({MathHint})");
        return Build(record, [ChatMessage.User(problem)], reference, defaultSkill: "math", source, idFallbackField: "unique_id");
    }

    private static IReadOnlyList<ChatMessage> ReadMessages(PromptRecord record)
    {
        var element = record.Root.GetProperty("messages");
        if (element.ValueKind != JsonValueKind.Array)
            throw record.Error("messages", $"field \"messages\" must be an array of messages, not {PromptRecord.Kind(element)}");
        IReadOnlyList<ChatMessage> messages;
        try
        {
            messages = ChatFormats.ParseConversation(element.GetRawText(), "field \"messages\"").Messages;
        }
        catch (ChatFormatException e)
        {
            throw record.Error("messages", e.Message, e);
        }
        if (messages.Count == 0) throw record.Error("messages", "field \"messages\" is empty; a prompt needs at least a user message");
        var last = messages[^1];
        if (last.Role is not (ChatRoles.User or ChatRoles.Tool))
            throw record.Error("messages",
                $"the last message is from the {last.Role}; a prompt must end with the user's turn (drop the trailing {last.Role} message, "
                + "and put an expected answer in \"reference\")");
        return messages;
    }

    private static PromptItem Build(PromptRecord record, IReadOnlyList<ChatMessage> messages, string? reference, string? defaultSkill,
        string source, string? idFallbackField = null)
    {
        var id = record.FirstText(idFallbackField is null ? ["id"] : ["id", idFallbackField], allowNumber: true)?.Value.Trim()
            ?? PromptIds.FromContent(messages);
        var skill = record.FirstText(["skill", "domain"])?.Value.Trim() ?? defaultSkill;
        var language = record.FirstText(["language", "lang"])?.Value.Trim();
        var itemSource = record.FirstText(["source"])?.Value.Trim() ?? source;
        return new PromptItem(id, messages, reference, skill, language, itemSource);
    }
}
