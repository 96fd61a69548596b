using System.Text;
using System.Text.Json;

namespace Avocado.Text.Chat;

/// <summary>
/// Qwen3 (hybrid thinking): ChatML turns <c>&lt;|im_start|&gt;{role}\n{content}&lt;|im_end|&gt;\n</c>, reasoning in
/// <c>&lt;think&gt;…&lt;/think&gt;</c>, tools in the system block, calls in <c>&lt;tool_call&gt;</c> JSON, results as
/// user turns of <c>&lt;tool_response&gt;</c> blocks. Renders as Qwen3's own chat template does (docs/CHAT_FORMATS.md).
/// </summary>
public sealed class Qwen3ChatFormat : IChatFormat
{
    private const string F = "qwen3";
    internal const string ImStart = "<|im_start|>";
    internal const string ImEnd = "<|im_end|>";
    internal const string EndOfText = "<|endoftext|>";
    internal const string ThinkOpen = "<think>";
    internal const string ThinkClose = "</think>";
    internal const string ToolCallOpen = "<tool_call>";
    internal const string ToolCallClose = "</tool_call>";
    private const string ToolResponseOpen = "<tool_response>";
    private const string ToolResponseClose = "</tool_response>";

    private const string ToolsPreamble =
        "# Tools\n\nYou may call one or more functions to assist with the user query.\n\n" +
        "You are provided with function signatures within <tools></tools> XML tags:\n<tools>";
    private const string ToolsPostamble =
        "\n</tools>\n\nFor each function call, return a json object with function name and arguments within " +
        "<tool_call></tool_call> XML tags:\n<tool_call>\n{\"name\": <function-name>, \"arguments\": <args-json-object>}\n</tool_call>";

    private static readonly string[] Stops = [ImEnd, EndOfText];

    public string Family => F;

    public IReadOnlyList<string> StopTokens => Stops;

    public string Render(IReadOnlyList<ChatMessage> messages, ChatOptions options)
    {
        messages = ChatFormatHelpers.TextOnly(messages, F);
        ChatFormatHelpers.CheckMessages(messages, options, F);
        var tools = ChatFormatHelpers.CheckTools(options, F);
        int n = messages.Count;
        for (int i = 0; i < n; i++)
        {
            var m = messages[i];
            switch (m.Role)
            {
                case ChatRoles.System or ChatRoles.User or ChatRoles.Tool:
                    ChatFormatHelpers.RequireContent(m, i, F);
                    if (m.ToolCalls is { Count: > 0 })
                        throw new ChatFormatException($"{F}: message {i} ({m.Role}) has tool calls; only assistant messages may", i);
                    break;
                case ChatRoles.Assistant: break;
                default: throw ChatFormatHelpers.BadRole(m, i, F, "system, user, assistant and tool");
            }
        }

        var sb = new StringBuilder();
        bool firstIsSystem = messages[0].Role == ChatRoles.System;
        if (tools.Count > 0)
        {
            sb.Append(ImStart).Append("system\n");
            if (firstIsSystem) sb.Append(messages[0].Content).Append("\n\n");
            sb.Append(ToolsPreamble);
            foreach (var tool in tools) sb.Append('\n').Append(ChatFormatHelpers.ToolJson(tool));
            sb.Append(ToolsPostamble).Append(ImEnd).Append('\n');
        }
        else if (firstIsSystem)
        {
            sb.Append(ImStart).Append("system\n").Append(messages[0].Content).Append(ImEnd).Append('\n');
        }

        // The last "real" user query: the latest user message that is not only a tool response.
        int lastQuery = n - 1;
        for (int i = n - 1; i >= 0; i--)
        {
            var m = messages[i];
            if (m.Role == ChatRoles.User &&
                !(m.Content!.StartsWith(ToolResponseOpen, StringComparison.Ordinal) && m.Content.EndsWith(ToolResponseClose, StringComparison.Ordinal)))
            {
                lastQuery = i;
                break;
            }
        }

        for (int i = 0; i < n; i++)
        {
            var m = messages[i];
            switch (m.Role)
            {
                case ChatRoles.User:
                case ChatRoles.System when i > 0:
                    sb.Append(ImStart).Append(m.Role).Append('\n').Append(m.Content).Append(ImEnd).Append('\n');
                    break;
                case ChatRoles.Assistant:
                    RenderAssistant(sb, m, i, n, lastQuery);
                    break;
                case ChatRoles.Tool:
                    if (i == 0 || messages[i - 1].Role != ChatRoles.Tool) sb.Append(ImStart).Append("user");
                    sb.Append('\n').Append(ToolResponseOpen).Append('\n').Append(m.Content).Append('\n').Append(ToolResponseClose);
                    if (i == n - 1 || messages[i + 1].Role != ChatRoles.Tool) sb.Append(ImEnd).Append('\n');
                    break;
            }
        }

        if (options.AddGenerationPrompt)
        {
            sb.Append(ImStart).Append("assistant\n");
            if (!options.EnableThinking) sb.Append(ThinkOpen).Append("\n\n").Append(ThinkClose).Append("\n\n");
        }
        return sb.ToString();
    }

    private static void RenderAssistant(StringBuilder sb, ChatMessage m, int i, int n, int lastQuery)
    {
        string content = m.Content ?? "";
        string reasoning = "";
        if (m.Reasoning is not null) reasoning = m.Reasoning;
        else if (content.Contains(ThinkClose, StringComparison.Ordinal))
        {
            // As the template: the text after the last </think> is the answer; the text before the first </think>
            // (after its last <think>) is the reasoning.
            string before = content[..content.IndexOf(ThinkClose, StringComparison.Ordinal)];
            content = PyStr.LStrip(content[(content.LastIndexOf(ThinkClose, StringComparison.Ordinal) + ThinkClose.Length)..], '\n');
            before = PyStr.RStrip(before, '\n');
            int open = before.LastIndexOf(ThinkOpen, StringComparison.Ordinal);
            reasoning = PyStr.LStrip(open < 0 ? before : before[(open + ThinkOpen.Length)..], '\n');
        }

        sb.Append(ImStart).Append("assistant\n");
        if (i > lastQuery && (i == n - 1 || reasoning.Length > 0))
            sb.Append(ThinkOpen).Append('\n').Append(PyStr.Strip(reasoning, '\n')).Append('\n').Append(ThinkClose).Append("\n\n")
              .Append(PyStr.LStrip(content, '\n'));
        else
            sb.Append(content);

        if (m.ToolCalls is { Count: > 0 } calls)
        {
            for (int j = 0; j < calls.Count; j++)
            {
                string args = ChatFormatHelpers.NormalizeArguments(calls[j], i, j, F);
                if (j > 0 || content.Length > 0) sb.Append('\n');
                sb.Append(ToolCallOpen).Append("\n{\"name\": \"").Append(calls[j].Name).Append("\", \"arguments\": ")
                  .Append(args).Append("}\n").Append(ToolCallClose);
            }
        }
        sb.Append(ImEnd).Append('\n');
    }

    public ParsedReply Parse(string generatedText)
    {
        ArgumentNullException.ThrowIfNull(generatedText);
        return CreateStreamingParser().ParseAll(generatedText);
    }

    public StreamingReplyParser CreateStreamingParser() => new Qwen3ReplyParser();

    /// <summary>Reads a <c>&lt;tool_call&gt;</c> body: {"name": …, "arguments": …}; null when it is not one.</summary>
    internal static ToolCall? ParseToolCallBody(string body)
    {
        try
        {
            using var doc = JsonDocument.Parse(body.Trim());
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) return null;
            if (PyJson.Get(root, "name") is not { ValueKind: JsonValueKind.String } name || string.IsNullOrEmpty(name.GetString())) return null;
            var args = PyJson.Get(root, "arguments") ?? PyJson.Get(root, "parameters");
            string argsText = args switch
            {
                null => "{}",
                { ValueKind: JsonValueKind.String } s => s.GetString()!,
                { } a => a.GetRawText(),
            };
            return new ToolCall(name.GetString()!, argsText);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private sealed class Qwen3ReplyParser : StreamingReplyParser
    {
        private enum State { Start, Reasoning, Content, ToolCall }

        private static readonly string[] ReasoningMarkers = [ThinkClose, ImEnd, EndOfText];
        private static readonly string[] ContentMarkers = [ToolCallOpen, ImEnd, EndOfText];
        private static readonly string[] ToolCallMarkers = [ToolCallClose, ImEnd, EndOfText];

        private State _state = State.Start;
        private string _buffer = "";

        public Qwen3ReplyParser() : base(trimParts: true) { }

        private protected override void Consume(string text)
        {
            _buffer += text;
            while (!IsDone && Step()) { }
        }

        /// <summary>One transition; false when more text is needed.</summary>
        private bool Step()
        {
            switch (_state)
            {
                case State.Start:
                {
                    string t = _buffer.TrimStart();
                    if (t.StartsWith(ThinkOpen, StringComparison.Ordinal))
                    {
                        _buffer = t[ThinkOpen.Length..];
                        _state = State.Reasoning;
                        return true;
                    }
                    if (ThinkOpen.StartsWith(t, StringComparison.Ordinal)) return false;
                    _state = State.Content;
                    return true;
                }
                case State.Reasoning:
                case State.Content:
                {
                    var writer = _state == State.Reasoning ? Reasoning : Content;
                    var markers = _state == State.Reasoning ? ReasoningMarkers : ContentMarkers;
                    var (at, marker) = Markers.FindFirst(_buffer, markers);
                    if (at < 0)
                    {
                        int safe = Markers.SafeLength(_buffer, markers);
                        writer.Write(_buffer[..safe]);
                        _buffer = _buffer[safe..];
                        return false;
                    }
                    writer.Write(_buffer[..at]);
                    _buffer = _buffer[(at + marker!.Length)..];
                    if (marker == ThinkClose) _state = State.Content;
                    else if (marker == ToolCallOpen) _state = State.ToolCall;
                    else IsDone = true;
                    return true;
                }
                case State.ToolCall:
                {
                    var (at, marker) = Markers.FindFirst(_buffer, ToolCallMarkers);
                    if (at < 0) return false;
                    string body = _buffer[..at];
                    _buffer = _buffer[(at + marker!.Length)..];
                    EmitCall(body, closed: marker == ToolCallClose);
                    if (marker == ToolCallClose) _state = State.Content;
                    else IsDone = true;
                    return true;
                }
            }
            return false;
        }

        private void EmitCall(string body, bool closed)
        {
            if (ParseToolCallBody(body) is { } call) EmitToolCall(call);
            else Content.Write(ToolCallOpen + body + (closed ? ToolCallClose : ""));
        }

        private protected override void Complete()
        {
            switch (_state)
            {
                case State.Start:
                case State.Content: Content.Write(_buffer); break;
                case State.Reasoning: Reasoning.Write(_buffer); break;
                case State.ToolCall: EmitCall(_buffer, closed: false); break;
            }
            _buffer = "";
        }
    }
}
