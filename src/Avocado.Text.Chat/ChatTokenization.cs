using Avocado.Text.Tokenizers;

namespace Avocado.Text.Chat;

/// <summary>Token-id conveniences over the text-first chat formats.</summary>
public static class ChatTokenization
{
    /// <summary>
    /// The rendered conversation's token ids: special tokens written in the text become their ids, and nothing is
    /// added (the rendered text already carries what the family needs, e.g. Gemma 3's &lt;bos&gt;).
    /// </summary>
    public static IReadOnlyList<int> RenderIds(this IChatFormat format, ITokenizer tokenizer, IReadOnlyList<ChatMessage> messages, ChatOptions options)
    {
        ArgumentNullException.ThrowIfNull(format);
        ArgumentNullException.ThrowIfNull(tokenizer);
        return tokenizer.Encode(format.Render(messages, options), parseSpecial: true, addSpecialTokens: false);
    }

    /// <summary>The ids of the format's stop tokens in this tokenizer (those it has).</summary>
    public static IReadOnlyList<int> StopTokenIds(this IChatFormat format, ITokenizer tokenizer)
    {
        ArgumentNullException.ThrowIfNull(format);
        ArgumentNullException.ThrowIfNull(tokenizer);
        var ids = new List<int>();
        foreach (var token in format.StopTokens)
            if (tokenizer.TokenToId(token) is { } id && !ids.Contains(id)) ids.Add(id);
        return ids;
    }

    /// <summary>Parses generated ids (decoded with special tokens kept).</summary>
    public static ParsedReply ParseIds(this IChatFormat format, ITokenizer tokenizer, IEnumerable<int> generatedIds)
    {
        ArgumentNullException.ThrowIfNull(format);
        ArgumentNullException.ThrowIfNull(tokenizer);
        return format.Parse(tokenizer.Decode(generatedIds, skipSpecial: false));
    }
}
