using System.Security.Cryptography;
using System.Text;
using Avocado.Text.Chat;

namespace Avocado.Data.Prompts;

/// <summary>
/// Ids for prompts whose file gave none: the first 16 hex digits of SHA-256 over the messages' roles, contents and tool calls.
/// The same conversation always gets the same id, in any file and on any machine, so cached teacher replies and
/// stored logits keyed by prompt id stay valid when a file is re-ordered or merged with another (never key by line).
/// </summary>
public static class PromptIds
{
    public static string FromContent(IReadOnlyList<ChatMessage> messages)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var text = new StringBuilder();
        foreach (var m in messages)
        {
            // Length prefixes keep ("ab", "c") and ("a", "bc") apart whatever characters the texts hold.
            text.Append(m.Role.Length).Append(':').Append(m.Role);
            var content = m.Content ?? "";
            text.Append(content.Length).Append(':').Append(content);
            foreach (var call in m.ToolCalls ?? [])
                text.Append('[').Append(call.Name.Length).Append(':').Append(call.Name).Append(call.ArgumentsJson.Length).Append(':').Append(call.ArgumentsJson);
        }
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString()));
        return Convert.ToHexStringLower(hash, 0, 8);
    }
}
