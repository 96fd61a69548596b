using System.Text;

namespace Avocado.Text.Chat;

/// <summary>
/// Gemma 3: <c>&lt;bos&gt;</c>, then turns <c>&lt;start_of_turn&gt;{user|model}\n{content}&lt;end_of_turn&gt;\n</c> with
/// strictly alternating user/model roles; a leading system message is folded into the first user turn (its
/// text + "\n\n"); contents are trimmed. No reasoning and no tool format. Renders as Gemma 3's own chat template
/// does (docs/CHAT_FORMATS.md).
/// </summary>
public sealed class Gemma3ChatFormat : IChatFormat
{
    private const string F = "gemma3";
    internal const string Bos = "<bos>";
    internal const string StartOfTurn = "<start_of_turn>";
    internal const string EndOfTurn = "<end_of_turn>";
    internal const string Eos = "<eos>";
    internal const string StartOfImage = "<start_of_image>";

    private static readonly string[] Stops = [EndOfTurn, Eos];

    public string Family => F;

    public IReadOnlyList<string> StopTokens => Stops;

    public string Render(IReadOnlyList<ChatMessage> messages, ChatOptions options)
    {
        ChatFormatHelpers.CheckMessages(messages, options, F);
        if (options.Tools is { Count: > 0 })
            throw new ChatFormatException($"{F}: Gemma 3's chat format has no tool definitions; remove ChatOptions.Tools");

        var sb = new StringBuilder(Bos);
        int start = 0;
        string firstUserPrefix = "";
        if (messages[0].Role == ChatRoles.System)
        {
            // A content list's first part is taken as its text, as the template does (messages[0]['content'][0]['text']).
            firstUserPrefix = (messages[0].Parts is { } systemParts
                ? systemParts.FirstOrDefault() as TextPart ?? throw new ChatFormatException($"{F}: a system message's first part must be text", 0)
                : null)?.Text ?? ChatFormatHelpers.RequireContent(messages[0], 0, F);
            firstUserPrefix += "\n\n";
            start = 1;
        }
        for (int i = start; i < messages.Count; i++)
        {
            var m = messages[i];
            bool expectUser = (i - start) % 2 == 0;
            if (m.Role is not (ChatRoles.User or ChatRoles.Assistant))
            {
                string why = m.Role == ChatRoles.System
                    ? "a system message is only allowed first (it is folded into the first user turn)"
                    : "Gemma 3 has only user and assistant (model) turns";
                throw new ChatFormatException($"{F}: message {i} has role '{m.Role}': {why}", i);
            }
            if ((m.Role == ChatRoles.User) != expectUser)
                throw new ChatFormatException(
                    $"{F}: conversation roles must alternate user/assistant/user/assistant/… " +
                    $"(after an optional leading system message): message {i} is '{m.Role}' but '{(expectUser ? "user" : "assistant")}' was expected",
                    i);
            if (m.ToolCalls is { Count: > 0 })
                throw new ChatFormatException($"{F}: message {i} has tool calls; Gemma 3's chat format has no tool calls", i);
            sb.Append(StartOfTurn).Append(m.Role == ChatRoles.Assistant ? "model" : "user").Append('\n');
            if (i == start) sb.Append(firstUserPrefix);
            if (m.Parts is { } parts)
            {
                // The template writes <start_of_image> per image (the processor expands it, see VisualPrompts) and
                // each text part trimmed; Gemma 3 reads videos as their frames, one image part each.
                foreach (var part in parts)
                    sb.Append(part switch
                    {
                        ImagePart => StartOfImage,
                        TextPart t => PyStr.Strip(t.Text),
                        VideoPart => throw new ChatFormatException($"{F}: message {i} has a video part; Gemma 3 reads a video as its frames (one image part each)", i),
                        _ => throw new ChatFormatException($"{F}: message {i} has an unknown part", i),
                    });
            }
            else sb.Append(PyStr.Strip(ChatFormatHelpers.RequireContent(m, i, F)));
            sb.Append(EndOfTurn).Append('\n');
        }
        if (options.AddGenerationPrompt) sb.Append(StartOfTurn).Append("model\n");
        return sb.ToString();
    }

    public ParsedReply Parse(string generatedText)
    {
        ArgumentNullException.ThrowIfNull(generatedText);
        return CreateStreamingParser().ParseAll(generatedText);
    }

    public StreamingReplyParser CreateStreamingParser() => new Gemma3ReplyParser();

    private sealed class Gemma3ReplyParser : StreamingReplyParser
    {
        private string _buffer = "";

        public Gemma3ReplyParser() : base(trimParts: true) { }

        private protected override void Consume(string text)
        {
            _buffer += text;
            var (at, _) = Markers.FindFirst(_buffer, Stops);
            if (at >= 0)
            {
                Content.Write(_buffer[..at]);
                _buffer = "";
                IsDone = true;
                return;
            }
            int safe = Markers.SafeLength(_buffer, Stops);
            Content.Write(_buffer[..safe]);
            _buffer = _buffer[safe..];
        }

        private protected override void Complete()
        {
            Content.Write(_buffer);
            _buffer = "";
        }
    }
}
