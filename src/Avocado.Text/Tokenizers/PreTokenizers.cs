using System.Text.Json;

namespace Avocado.Text.Tokenizers;

/// <summary>Cuts normalized text into pieces (UTF-16 ranges) that the model encodes independently.</summary>
internal abstract class PreTokenizer
{
    /// <summary>Appends the pieces of <paramref name="text"/>[start, end) to <paramref name="output"/>.</summary>
    public abstract void Split(ReadOnlySpan<char> text, int start, int end, List<(int Start, int End)> output);

    /// <summary>True when the chain contains a ByteLevel step: the model then sees UTF-8 bytes.</summary>
    public virtual bool IsByteLevel => false;

    public virtual bool IsExact => true;

    public static PreTokenizer? FromJson(JsonElement? json, string file)
    {
        if (json is null || json.Value.ValueKind == JsonValueKind.Null) return null;
        var e = json.Value;
        string type = e.GetProperty("type").GetString() ?? "";
        switch (type)
        {
            case "Sequence":
                {
                    var steps = e.GetProperty("pretokenizers").EnumerateArray().Select(x => FromJson(x, file)).OfType<PreTokenizer>().ToList();
                    bool byteLevel = steps.Any(x => x.IsByteLevel);
                    steps.RemoveAll(x => x is ByteLevelPreTokenizer { SplitsNothing: true }); // byte mapping only: the model does it
                    if (steps.Count == 1 && !byteLevel) return steps[0];
                    return new SequencePreTokenizer([.. steps], byteLevel);
                }
            case "Split":
                {
                    var p = e.GetProperty("pattern");
                    SplitPattern pattern = p.TryGetProperty("Regex", out var r) ? SplitPattern.ForRegex(r.GetString() ?? "")
                        : p.TryGetProperty("String", out var s) ? SplitPattern.ForLiteral(s.GetString() ?? "")
                        : throw new InvalidDataException($"{file}: Split pre-tokenizer without a String or Regex pattern.");
                    string behavior = e.TryGetProperty("behavior", out var b) ? b.GetString() ?? "Isolated" : "Isolated";
                    bool invert = e.TryGetProperty("invert", out var inv) && inv.ValueKind == JsonValueKind.True;
                    if (behavior is not ("Isolated" or "Removed" or "MergedWithPrevious" or "MergedWithNext"))
                        throw new InvalidDataException($"{file}: Split behavior '{behavior}' is not supported.");
                    return new SplitPreTokenizer(pattern, behavior, invert);
                }
            case "ByteLevel":
                {
                    if (e.TryGetProperty("add_prefix_space", out var aps) && aps.ValueKind == JsonValueKind.True)
                        throw new InvalidDataException($"{file}: ByteLevel pre-tokenizer with add_prefix_space=true is not supported.");
                    bool useRegex = !e.TryGetProperty("use_regex", out var ur) || ur.ValueKind != JsonValueKind.False;
                    return new ByteLevelPreTokenizer(useRegex ? new SplitPreTokenizer(SplitPattern.ForRegex(SplitPattern.Gpt2), "Isolated", false) : null);
                }
        }
        throw new InvalidDataException($"{file}: pre-tokenizer '{type}' is not supported (supported: Split, ByteLevel, Sequence).");
    }
}

internal sealed class SequencePreTokenizer(PreTokenizer[] steps, bool byteLevel) : PreTokenizer
{
    public override bool IsByteLevel => byteLevel;
    public override bool IsExact => steps.All(s => s.IsExact);

    public override void Split(ReadOnlySpan<char> text, int start, int end, List<(int Start, int End)> output)
    {
        if (steps.Length == 0) { output.Add((start, end)); return; }
        if (steps.Length == 1) { steps[0].Split(text, start, end, output); return; }
        int first = output.Count;
        steps[0].Split(text, start, end, output);
        var scratch = new List<(int, int)>();
        for (int s = 1; s < steps.Length; s++)
        {
            scratch.Clear();
            for (int k = first; k < output.Count; k++) steps[s].Split(text, output[k].Start, output[k].End, scratch);
            output.RemoveRange(first, output.Count - first);
            output.AddRange(scratch);
        }
    }
}

internal sealed class ByteLevelPreTokenizer(SplitPreTokenizer? regexSplit) : PreTokenizer
{
    public override bool IsByteLevel => true;
    public bool SplitsNothing => regexSplit is null;

    public override void Split(ReadOnlySpan<char> text, int start, int end, List<(int Start, int End)> output)
    {
        if (regexSplit is null) output.Add((start, end));
        else regexSplit.Split(text, start, end, output);
    }
}

internal sealed class SplitPreTokenizer(SplitPattern pattern, string behaviorName, bool invert) : PreTokenizer
{
    private enum Behavior { Isolated, Removed, MergedWithPrevious, MergedWithNext }
    private readonly Behavior _behavior = Enum.Parse<Behavior>(behaviorName);

    public override bool IsExact => pattern.IsExact;

    public override void Split(ReadOnlySpan<char> text, int start, int end, List<(int Start, int End)> output)
    {
        var span = text[..end];
        int pos = start;
        int pendingStart = -1; // MergedWithNext: start of a delimiter waiting for what follows
        int prevEnd = start;   // MergedWithPrevious: start of the content before the delimiter
        while (pos < end)
        {
            bool found = pattern.NextMatch(span, pos, out int ms, out int me);
            if (!found) ms = me = end;
            if (ms > pos) Emit(pos, ms, delimiter: invert, output, ref pendingStart, ref prevEnd);
            if (!found) break;
            Emit(ms, me, delimiter: !invert, output, ref pendingStart, ref prevEnd);
            pos = me;
        }
        if (pendingStart >= 0) output.Add((pendingStart, end));
        if (_behavior == Behavior.MergedWithPrevious && prevEnd < end) output.Add((prevEnd, end));
    }

    private void Emit(int s, int e, bool delimiter, List<(int Start, int End)> output, ref int pendingStart, ref int prevEnd)
    {
        switch (_behavior)
        {
            case Behavior.Isolated:
                output.Add((s, e));
                break;
            case Behavior.Removed:
                if (!delimiter) output.Add((s, e));
                break;
            case Behavior.MergedWithPrevious:
                if (delimiter) { output.Add((prevEnd, e)); prevEnd = e; }
                break;
            case Behavior.MergedWithNext:
                if (delimiter)
                {
                    if (pendingStart >= 0) output.Add((pendingStart, s));
                    pendingStart = s;
                }
                else if (pendingStart >= 0) { output.Add((pendingStart, e)); pendingStart = -1; }
                else output.Add((s, e));
                break;
        }
    }
}
