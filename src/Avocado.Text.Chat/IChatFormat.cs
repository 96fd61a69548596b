namespace Avocado.Text.Chat;

/// <summary>
/// A model family's chat format, text first: <see cref="Render"/> produces the prompt with special tokens written
/// literally (tokenize it with special-token parsing on and without adding BOS: the text carries what the
/// family needs); <see cref="Parse"/> reads what the model generated after the generation prompt, decoded with
/// special tokens kept.
/// </summary>
public interface IChatFormat
{
    /// <summary>"qwen3", "gemma3" or "gpt-oss".</summary>
    string Family { get; }

    /// <summary>Renders a conversation as the model's own chat template does.</summary>
    /// <exception cref="ChatFormatException">The conversation is not valid for this family.</exception>
    string Render(IReadOnlyList<ChatMessage> messages, ChatOptions options);

    /// <summary>Splits generated text (after the generation prompt, special tokens kept) into reasoning, answer and tool calls.</summary>
    ParsedReply Parse(string generatedText);

    /// <summary>Special-token strings that end a reply.</summary>
    IReadOnlyList<string> StopTokens { get; }

    /// <summary>A parser for generated text that arrives in pieces; it yields what <see cref="Parse"/> would.</summary>
    StreamingReplyParser CreateStreamingParser();
}
