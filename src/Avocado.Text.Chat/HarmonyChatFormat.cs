using System.Globalization;
using System.Text;

namespace Avocado.Text.Chat;

/// <summary>
/// gpt-oss's Harmony format: messages <c>&lt;|start|&gt;{header}&lt;|message|&gt;{content}&lt;|end|&gt;</c>; a system message
/// built from the model identity, knowledge cutoff, current date, reasoning effort and valid channels; the user's
/// system prompt and the tools in a developer message; reasoning on the analysis channel, answers on final, tool
/// calls on commentary. Renders as gpt-oss's own chat template does (docs/CHAT_FORMATS.md lists the few
/// conversations the template rejects and this renders anyway).
/// </summary>
public sealed class HarmonyChatFormat : IChatFormat
{
    private const string F = "gpt-oss";
    public const string DefaultModelIdentity = "You are ChatGPT, a large language model trained by OpenAI.";
    public const string DefaultKnowledgeCutoff = "2024-06";

    internal const string Start = "<|start|>";
    internal const string End = "<|end|>";
    internal const string Message = "<|message|>";
    internal const string Channel = "<|channel|>";
    internal const string Return = "<|return|>";
    internal const string Call = "<|call|>";
    internal const string Constrain = "<|constrain|>";
    internal const string EndOfText = "<|endoftext|>";

    private static readonly string[] Stops = [Return, Call, EndOfText];

    public HarmonyChatFormat(string? modelIdentity = null, string? knowledgeCutoff = null)
    {
        ModelIdentity = modelIdentity ?? DefaultModelIdentity;
        KnowledgeCutoff = knowledgeCutoff ?? DefaultKnowledgeCutoff;
    }

    /// <summary>The system message's first line (the template's <c>model_identity</c>).</summary>
    public string ModelIdentity { get; }

    /// <summary>The system message's "Knowledge cutoff:" value.</summary>
    public string KnowledgeCutoff { get; }

    public string Family => F;

    public IReadOnlyList<string> StopTokens => Stops;

    public string Render(IReadOnlyList<ChatMessage> messages, ChatOptions options)
    {
        messages = ChatFormatHelpers.TextOnly(messages, F);
        ChatFormatHelpers.CheckMessages(messages, options, F);
        var tools = ChatFormatHelpers.CheckTools(options, F);
        var date = options.CurrentDate ?? DateOnly.FromDateTime(DateTime.Now);

        var sb = new StringBuilder();
        sb.Append(Start).Append("system").Append(Message)
          .Append(ModelIdentity).Append('\n')
          .Append("Knowledge cutoff: ").Append(KnowledgeCutoff).Append('\n')
          .Append("Current date: ").Append(date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)).Append("\n\n")
          .Append("Reasoning: ").Append(EffortName(options.Effort)).Append("\n\n")
          .Append("# Valid channels: analysis, commentary, final. Channel must be included for every message.");
        if (tools.Count > 0) sb.Append("\nCalls to these tools must go to the commentary channel: 'functions'.");
        sb.Append(End);

        int first = 0;
        string developer = "";
        if (messages[0].Role is ChatRoles.System or ChatRoles.Developer)
        {
            developer = ChatFormatHelpers.RequireContent(messages[0], 0, F);
            first = 1;
        }
        if (developer.Length > 0 || tools.Count > 0)
        {
            sb.Append(Start).Append("developer").Append(Message);
            if (developer.Length > 0) sb.Append("# Instructions\n\n").Append(developer).Append("\n\n");
            if (tools.Count > 0)
            {
                sb.Append("# Tools\n\n");
                HarmonyTools.RenderNamespace(sb, tools);
            }
            sb.Append(End);
        }

        // Names of the calls of the latest assistant tool-call message, for the tool results that follow it.
        List<ToolCall> pendingCalls = [];
        int pendingIndex = 0;
        string? lastCallName = null;
        for (int i = first; i < messages.Count; i++)
        {
            var m = messages[i];
            bool isLast = i == messages.Count - 1;
            switch (m.Role)
            {
                case ChatRoles.User:
                    if (m.ToolCalls is { Count: > 0 }) throw new ChatFormatException($"{F}: message {i} (user) has tool calls", i);
                    sb.Append(Start).Append("user").Append(Message).Append(ChatFormatHelpers.RequireContent(m, i, F)).Append(End);
                    break;
                case ChatRoles.Assistant:
                    CheckNoChannelTags(m, i);
                    if (m.ToolCalls is { Count: > 0 } calls)
                    {
                        bool laterFinal = false;
                        for (int k = i + 1; k < messages.Count; k++)
                            if (messages[k].Role == ChatRoles.Assistant && messages[k].ToolCalls is not { Count: > 0 }) laterFinal = true;
                        bool hasContent = !string.IsNullOrEmpty(m.Content), hasThinking = !string.IsNullOrEmpty(m.Reasoning);
                        // The template keeps the analysis of a tool-calling turn until the turn ends in a final message.
                        // It takes the content as that analysis when there is no reasoning (and rejects both:
                        // here the content then goes to the commentary channel as a preamble).
                        if (!laterFinal && hasThinking) sb.Append(Start).Append("assistant").Append(Channel).Append("analysis").Append(Message).Append(m.Reasoning).Append(End);
                        if (hasContent && hasThinking)
                            sb.Append(Start).Append("assistant").Append(Channel).Append("commentary").Append(Message).Append(m.Content).Append(End);
                        else if (hasContent && !laterFinal)
                            sb.Append(Start).Append("assistant").Append(Channel).Append("analysis").Append(Message).Append(m.Content).Append(End);
                        for (int j = 0; j < calls.Count; j++)
                        {
                            string args = ChatFormatHelpers.NormalizeArguments(calls[j], i, j, F);
                            sb.Append(Start).Append("assistant to=functions.").Append(calls[j].Name)
                              .Append(Channel).Append("commentary json").Append(Message).Append(args).Append(Call);
                        }
                        pendingCalls = calls.ToList();
                        pendingIndex = 0;
                        lastCallName = calls[^1].Name;
                    }
                    else if (isLast && !options.AddGenerationPrompt)
                    {
                        // Training: the reply as the model emits it, reasoning included, ending with <|return|>.
                        if (m.Reasoning is not null)
                            sb.Append(Start).Append("assistant").Append(Channel).Append("analysis").Append(Message).Append(m.Reasoning).Append(End);
                        sb.Append(Start).Append("assistant").Append(Channel).Append("final").Append(Message).Append(m.Content ?? "").Append(Return);
                    }
                    else
                    {
                        // History: reasoning is dropped, <|return|> becomes <|end|>.
                        sb.Append(Start).Append("assistant").Append(Channel).Append("final").Append(Message).Append(m.Content ?? "").Append(End);
                        pendingCalls = [];
                        lastCallName = null;
                    }
                    break;
                case ChatRoles.Tool:
                {
                    string content = ChatFormatHelpers.RequireContent(m, i, F);
                    string name = ResolveToolName(m, i, pendingCalls, ref pendingIndex, lastCallName);
                    sb.Append(Start).Append("functions.").Append(name).Append(" to=assistant").Append(Channel).Append("commentary")
                      .Append(Message).Append(PyJson.DumpsString(content)).Append(End);
                    break;
                }
                case ChatRoles.System or ChatRoles.Developer:
                    throw new ChatFormatException(
                        $"{F}: message {i} has role '{m.Role}'; a system/developer message is only allowed first (it becomes the developer message's instructions)", i);
                default:
                    throw ChatFormatHelpers.BadRole(m, i, F, "system or developer (first only), user, assistant and tool");
            }
        }
        if (options.AddGenerationPrompt) sb.Append(Start).Append("assistant");
        return sb.ToString();
    }

    private static string EffortName(ReasoningEffort effort) => effort switch
    {
        ReasoningEffort.Low => "low",
        ReasoningEffort.Medium => "medium",
        ReasoningEffort.High => "high",
        _ => throw new ArgumentOutOfRangeException(nameof(effort), effort, "unknown reasoning effort"),
    };

    private static void CheckNoChannelTags(ChatMessage m, int i)
    {
        foreach (var (field, text) in new[] { ("content", m.Content), ("reasoning", m.Reasoning) })
        {
            if (text is null) continue;
            if (text.Contains(Channel + "analysis" + Message, StringComparison.Ordinal) || text.Contains(Channel + "final" + Message, StringComparison.Ordinal))
                throw new ChatFormatException(
                    $"{F}: message {i} has Harmony channel tags in its {field}; pass the analysis text as Reasoning and the final text as Content", i);
        }
    }

    private static string ResolveToolName(ChatMessage m, int i, List<ToolCall> pending, ref int pendingIndex, string? lastCallName)
    {
        if (m.ToolCallId is not null)
        {
            var byId = pending.FirstOrDefault(c => c.Id == m.ToolCallId);
            if (byId is not null) return byId.Name;
        }
        if (pendingIndex < pending.Count) return pending[pendingIndex++].Name;
        if (lastCallName is not null) return lastCallName;
        throw new ChatFormatException($"{F}: message {i} has role 'tool', but no earlier assistant message of this turn made a tool call", i);
    }

    public ParsedReply Parse(string generatedText)
    {
        ArgumentNullException.ThrowIfNull(generatedText);
        return CreateStreamingParser().ParseAll(generatedText);
    }

    public StreamingReplyParser CreateStreamingParser() => new HarmonyReplyParser();

    /// <summary>A parsed message header: channel and recipient (e.g. "functions.get_weather").</summary>
    internal static (string? Channel, string? Recipient) ParseHeader(string header)
    {
        string? channel = null, recipient = null;
        int c = header.IndexOf(Channel, StringComparison.Ordinal);
        if (c >= 0)
        {
            int s = c + Channel.Length, e = s;
            while (e < header.Length && !char.IsWhiteSpace(header[e]) && header[e] != '<') e++;
            channel = header[s..e];
        }
        int t = header.IndexOf("to=", StringComparison.Ordinal);
        while (t > 0 && !char.IsWhiteSpace(header[t - 1]) && header[t - 1] != '>') t = header.IndexOf("to=", t + 3, StringComparison.Ordinal);
        if (t >= 0)
        {
            int s = t + 3, e = s;
            while (e < header.Length && !char.IsWhiteSpace(header[e]) && header[e] != '<') e++;
            recipient = header[s..e];
        }
        return (channel, recipient);
    }

    private sealed class HarmonyReplyParser : StreamingReplyParser
    {
        private enum State { Header, Body, Between }

        private static readonly string[] HeaderMarkers = [Message, End, Return, Call, EndOfText];
        private static readonly string[] BodyMarkers = [End, Return, Call, EndOfText, Start];
        private static readonly string[] BetweenMarkers = [Start, Return, Call, EndOfText];

        private State _state = State.Header;
        private string _buffer = "";
        private bool _anyMessage;
        private PartWriter? _writer;          // the part the current message's body streams to; null: a tool call
        private string? _recipient;

        public HarmonyReplyParser() : base(trimParts: false) { }

        private protected override void Consume(string text)
        {
            _buffer += text;
            while (!IsDone && Step()) { }
        }

        private bool Step()
        {
            switch (_state)
            {
                case State.Header:
                {
                    var (at, marker) = Markers.FindFirst(_buffer, HeaderMarkers);
                    if (at < 0) return false;
                    string header = _buffer[..at];
                    _buffer = _buffer[(at + marker!.Length)..];
                    if (marker != Message)
                    {
                        // A header without a body: nothing to report.
                        if (marker == End) _state = State.Between;
                        else IsDone = true;
                        return true;
                    }
                    _anyMessage = true;
                    var (channel, recipient) = ParseHeader(header);
                    _recipient = recipient is not null && recipient != "assistant" && recipient != "user" ? recipient : null;
                    _writer = _recipient is not null ? null : channel == "analysis" ? Reasoning : Content;
                    _writer?.BeginSegment();
                    _state = State.Body;
                    return true;
                }
                case State.Body:
                {
                    var (at, marker) = Markers.FindFirst(_buffer, BodyMarkers);
                    if (at < 0)
                    {
                        if (_writer is null) return false;   // tool-call arguments: wait for the whole body
                        int safe = Markers.SafeLength(_buffer, BodyMarkers);
                        _writer.Write(_buffer[..safe]);
                        _buffer = _buffer[safe..];
                        return false;
                    }
                    EndBody(_buffer[..at]);
                    _buffer = _buffer[(at + marker!.Length)..];
                    if (marker == End) _state = State.Between;
                    else if (marker == Start) _state = State.Header;
                    else IsDone = true;
                    return true;
                }
                case State.Between:
                {
                    var (at, marker) = Markers.FindFirst(_buffer, BetweenMarkers);
                    if (at < 0)
                    {
                        _buffer = _buffer[Markers.SafeLength(_buffer, BetweenMarkers)..];
                        return false;
                    }
                    _buffer = _buffer[(at + marker!.Length)..];
                    if (marker == Start) _state = State.Header;
                    else IsDone = true;
                    return true;
                }
            }
            return false;
        }

        private void EndBody(string rest)
        {
            if (_writer is not null) _writer.Write(rest);
            else
            {
                string name = _recipient!.StartsWith("functions.", StringComparison.Ordinal) ? _recipient["functions.".Length..] : _recipient;
                EmitToolCall(new ToolCall(name, rest));
            }
            _writer = null;
            _recipient = null;
        }

        private protected override void Complete()
        {
            switch (_state)
            {
                case State.Body: EndBody(_buffer); break;
                case State.Header:
                    // Text without any Harmony structure: take it as the answer.
                    if (!_anyMessage && !_buffer.Contains("<|", StringComparison.Ordinal)) Content.Write(_buffer);
                    break;
            }
            _buffer = "";
        }
    }
}
