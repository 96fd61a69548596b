using System.Text;

namespace Avocado.Text.Chat;

public enum ReplyPart { Reasoning, Content, ToolCall }

/// <summary>
/// A piece of a reply. For <see cref="ReplyPart.Reasoning"/> and <see cref="ReplyPart.Content"/>, <see cref="Text"/>
/// is text to append; a <see cref="ReplyPart.ToolCall"/> delta is one complete call (<see cref="ToolCall"/>), with
/// its arguments JSON as <see cref="Text"/>.
/// </summary>
public sealed record ReplyDelta(ReplyPart Part, string Text)
{
    public ToolCall? ToolCall { get; init; }
}

/// <summary>
/// Incremental reply parser: feed generated text in pieces of any size with <see cref="Push"/> (special-token
/// markers may be split across pieces: a piece's tail that could begin a marker is held back until the next
/// piece decides), then call <see cref="Finish"/> once. The deltas, concatenated, give what
/// <see cref="IChatFormat.Parse"/> gives for the whole text. Text after a stop token is ignored.
/// </summary>
public abstract class StreamingReplyParser
{
    private readonly List<ReplyDelta> _output = new();
    private readonly PartWriter _reasoning;
    private readonly PartWriter _content;
    private bool _finished;

    private protected StreamingReplyParser(bool trimParts)
    {
        _reasoning = new PartWriter(ReplyPart.Reasoning, trimParts, _output);
        _content = new PartWriter(ReplyPart.Content, trimParts, _output);
    }

    /// <summary>True once a stop token (or the end of the reply's last message) has been read.</summary>
    public bool IsDone { get; private protected set; }

    /// <summary>Reads the next piece of generated text; returns the deltas it completes.</summary>
    public IReadOnlyList<ReplyDelta> Push(string delta)
    {
        ArgumentNullException.ThrowIfNull(delta);
        if (_finished) throw new InvalidOperationException("Push after Finish.");
        if (delta.Length > 0 && !IsDone) Consume(delta);
        return Drain();
    }

    /// <summary>Ends the text: flushes what was held back (an unfinished marker is kept as text).</summary>
    public IReadOnlyList<ReplyDelta> Finish()
    {
        if (_finished) throw new InvalidOperationException("Finish called twice.");
        _finished = true;
        if (!IsDone) Complete();
        IsDone = true;
        return Drain();
    }

    /// <summary>Parses a whole reply: pushes it in one piece and finishes.</summary>
    public ParsedReply ParseAll(string text)
    {
        var deltas = new List<ReplyDelta>(Push(text));
        deltas.AddRange(Finish());
        return Collect(deltas);
    }

    /// <summary>Assembles deltas into a reply (reasoning null when no reasoning text was produced).</summary>
    public static ParsedReply Collect(IEnumerable<ReplyDelta> deltas)
    {
        ArgumentNullException.ThrowIfNull(deltas);
        var reasoning = new StringBuilder();
        var content = new StringBuilder();
        var calls = new List<ToolCall>();
        bool anyReasoning = false;
        foreach (var d in deltas)
        {
            switch (d.Part)
            {
                case ReplyPart.Reasoning: reasoning.Append(d.Text); anyReasoning = true; break;
                case ReplyPart.Content: content.Append(d.Text); break;
                case ReplyPart.ToolCall:
                    calls.Add(d.ToolCall ?? throw new ArgumentException("a ToolCall delta without its ToolCall", nameof(deltas)));
                    break;
            }
        }
        return new ParsedReply(anyReasoning && reasoning.Length > 0 ? reasoning.ToString() : null, content.ToString(), calls);
    }

    /// <summary>Processes newly arrived text (never empty; only while not done).</summary>
    private protected abstract void Consume(string text);

    /// <summary>End of input: flush held-back text.</summary>
    private protected abstract void Complete();

    private protected PartWriter Reasoning => _reasoning;
    private protected PartWriter Content => _content;

    private protected void EmitToolCall(ToolCall call) =>
        _output.Add(new ReplyDelta(ReplyPart.ToolCall, call.ArgumentsJson) { ToolCall = call });

    private IReadOnlyList<ReplyDelta> Drain()
    {
        if (_output.Count == 0) return Array.Empty<ReplyDelta>();
        var result = _output.ToArray();
        _output.Clear();
        return result;
    }
}

/// <summary>
/// Writes one reply part as deltas. In trimming mode, leading whitespace of the part is dropped and trailing
/// whitespace is held back until more text follows (so the concatenation equals the trimmed text). Segments
/// (separate messages or blocks of the same part) are joined with a blank line once both have text.
/// </summary>
internal sealed class PartWriter
{
    private readonly ReplyPart _part;
    private readonly bool _trim;
    private readonly List<ReplyDelta> _output;
    private string _pendingWhitespace = "";
    private bool _started;          // some text of this part was emitted
    private bool _segmentHasText;   // the current segment emitted text
    private bool _separatorPending;

    public PartWriter(ReplyPart part, bool trim, List<ReplyDelta> output)
    {
        _part = part;
        _trim = trim;
        _output = output;
    }

    /// <summary>Starts a new segment (a new message or block of this part).</summary>
    public void BeginSegment()
    {
        if (_segmentHasText) _separatorPending = true;
        _segmentHasText = false;
        if (!_trim) return;
        _pendingWhitespace = "";
    }

    public void Write(string text)
    {
        if (text.Length == 0) return;
        if (!_trim)
        {
            Emit(text);
            return;
        }
        if (!_segmentHasText)
        {
            int i = 0;
            while (i < text.Length && char.IsWhiteSpace(text[i])) i++;
            if (i == text.Length) return;
            text = text[i..];
        }
        string full = _pendingWhitespace + text;
        int end = full.Length;
        while (end > 0 && char.IsWhiteSpace(full[end - 1])) end--;
        if (end == 0)
        {
            _pendingWhitespace = full;
            return;
        }
        _pendingWhitespace = full[end..];
        Emit(full[..end]);
    }

    private void Emit(string text)
    {
        if (_separatorPending)
        {
            _separatorPending = false;
            if (_started) text = "\n\n" + text;
        }
        _output.Add(new ReplyDelta(_part, text));
        _started = true;
        _segmentHasText = true;
    }
}

/// <summary>Finding special-token markers in a buffer whose tail may hold the beginning of one.</summary>
internal static class Markers
{
    /// <summary>The earliest marker occurrence (ties: the longer marker), or (-1, null).</summary>
    public static (int Index, string? Marker) FindFirst(string buffer, IReadOnlyList<string> markers)
    {
        int best = -1;
        string? found = null;
        foreach (var m in markers)
        {
            int i = buffer.IndexOf(m, StringComparison.Ordinal);
            if (i < 0) continue;
            if (best < 0 || i < best || (i == best && m.Length > found!.Length))
            {
                best = i;
                found = m;
            }
        }
        return (best, found);
    }

    /// <summary>How many leading characters of the buffer cannot be part of a marker that is still arriving.</summary>
    public static int SafeLength(string buffer, IReadOnlyList<string> markers)
    {
        int hold = 0;
        foreach (var m in markers)
        {
            int max = Math.Min(m.Length - 1, buffer.Length);
            for (int k = max; k > hold; k--)
            {
                if (string.CompareOrdinal(buffer, buffer.Length - k, m, 0, k) == 0)
                {
                    hold = k;
                    break;
                }
            }
        }
        return buffer.Length - hold;
    }
}
