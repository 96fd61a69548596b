using System.Text.RegularExpressions;
using Avocado.Text.Chat;

namespace Avocado.Teachers;

/// <summary>
/// Separates reasoning from the answer in what an endpoint returned, whichever way the server delivers it:
/// a <c>reasoning_content</c> / <c>reasoning</c> / <c>thinking</c> field (vLLM, llama.cpp, Ollama with a reasoning
/// parser); Harmony channel markers in the content (gpt-oss served without one); <c>&lt;think&gt;…&lt;/think&gt;</c> in
/// the content (Qwen3 and R1-style models, the opening tag possibly in the prompt); or, for gpt-oss with special
/// tokens stripped, the bare <c>analysis…assistantfinal…</c> shape.
/// </summary>
public static partial class EndpointReplyParser
{
    static readonly IChatFormat Qwen3 = ChatFormats.For(TeacherFamilies.Qwen3);
    static readonly IChatFormat Harmony = ChatFormats.For(TeacherFamilies.GptOss);

    /// <summary>Reasoning (null if none), answer and tool calls. <paramref name="toolCalls"/> are the structured calls the
    /// server returned; calls written inline in the content are used only when there are none.</summary>
    public static ParsedReply Parse(string? content, string? reasoningField, IReadOnlyList<ToolCall> toolCalls, string family)
    {
        content ??= "";
        if (!string.IsNullOrEmpty(reasoningField)) return new ParsedReply(reasoningField, content, toolCalls);

        ParsedReply? inline = null;
        if (content.Contains("<|channel|>", StringComparison.Ordinal) || content.Contains("<|message|>", StringComparison.Ordinal))
            inline = Harmony.Parse(content);
        else if (content.Contains("<think>", StringComparison.Ordinal) || content.Contains("</think>", StringComparison.Ordinal))
            // R1-style servers put "<think>" in the prompt, so the content only closes it.
            inline = Qwen3.Parse(content.TrimStart().StartsWith("<think>", StringComparison.Ordinal) ? content : "<think>" + content);
        else if (family == TeacherFamilies.GptOss && StrippedHarmony().Match(content) is { Success: true } m)
            inline = new ParsedReply(m.Groups[1].Value, m.Groups[2].Value, []);
        else if (family == TeacherFamilies.Qwen3 && content.Contains("<tool_call>", StringComparison.Ordinal))
            inline = Qwen3.Parse(content);

        if (inline is null) return new ParsedReply(null, content, toolCalls);
        return new ParsedReply(string.IsNullOrEmpty(inline.Reasoning) ? null : inline.Reasoning, inline.Content,
            toolCalls.Count > 0 ? toolCalls : inline.ToolCalls);
    }

    /// <summary>gpt-oss decoded with special tokens skipped: "analysis{cot}assistantfinal{answer}".</summary>
    [GeneratedRegex(@"\A\s*analysis(.*?)assistant\s*final(.*)\z", RegexOptions.Singleline)]
    private static partial Regex StrippedHarmony();
}
