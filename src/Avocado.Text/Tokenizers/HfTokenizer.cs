using System.Text;
using System.Text.Json;

namespace Avocado.Text.Tokenizers;

// Ours, not Microsoft.ML.Tokenizers: that one cannot read tokenizer.json and differs from HF tokenizers on 9 of 73 corpus texts at a third of the speed (docs/TOKENIZERS.md).

/// <summary>
/// A Hugging Face tokenizer.json pipeline: added tokens (matched on the raw text) → normalizer → pre-tokenizer → BPE
/// model → post-processor; decoding through the decoder. Covers what Qwen3, Gemma 3 and gpt-oss checkpoints use.
/// </summary>
internal sealed class HfTokenizer : ITokenizer
{
    private readonly Normalizer? _normalizer;
    private readonly PreTokenizer? _preTokenizer;
    private readonly BpeModel _model;
    private readonly AddedTokenMatcher _added;
    private readonly Dictionary<string, int> _addedByContent;
    private readonly string?[] _idToToken;
    private readonly bool[] _special;
    private readonly bool[] _isAdded;
    private readonly DecodingTable _decoding;
    private readonly int[] _prefixIds, _suffixIds;
    private readonly int[] _eos;

    public string Name { get; }
    public int VocabSize { get; }
    public int? BosId { get; }
    public IReadOnlyList<int> EosIds => _eos;
    public int? PadId { get; }

    /// <summary>True when every component is reproduced exactly (no fallback to .NET Regex).</summary>
    internal bool IsExact => _preTokenizer?.IsExact ?? true;

    internal HfTokenizer(JsonElement root, JsonElement? config, IReadOnlyList<int> generationEos, string tokenizerFile, string? nameOverride)
    {
        var model = root.GetProperty("model");
        string type = model.TryGetProperty("type", out var t) ? t.GetString() ?? "" : "";
        if (type != "BPE")
            throw new InvalidDataException($"{tokenizerFile}: model type '{type}' is not supported (only BPE).");
        foreach (var unsupported in new[] { "continuing_subword_prefix", "end_of_word_suffix" })
            if (model.TryGetProperty(unsupported, out var v) && v.ValueKind == JsonValueKind.String && v.GetString()!.Length > 0)
                throw new InvalidDataException($"{tokenizerFile}: BPE {unsupported} is not supported.");
        if (model.TryGetProperty("dropout", out var dropout) && dropout.ValueKind == JsonValueKind.Number && dropout.GetDouble() > 0)
            throw new InvalidDataException($"{tokenizerFile}: BPE dropout is not supported.");

        _normalizer = Normalizer.FromJson(Optional(root, "normalizer"), tokenizerFile);
        _preTokenizer = PreTokenizer.FromJson(Optional(root, "pre_tokenizer"), tokenizerFile);

        var vocab = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var p in model.GetProperty("vocab").EnumerateObject()) vocab[p.Name] = p.Value.GetInt32();
        var merges = new List<(string, string)>();
        foreach (var m in model.GetProperty("merges").EnumerateArray())
        {
            if (m.ValueKind == JsonValueKind.Array) merges.Add((m[0].GetString()!, m[1].GetString()!));
            else
            {
                string s = m.GetString() ?? "";
                int space = s.IndexOf(' ', 1);
                if (space < 0) throw new InvalidDataException($"{tokenizerFile}: malformed merge '{s}'.");
                merges.Add((s[..space], s[(space + 1)..]));
            }
        }
        bool byteLevel = _preTokenizer?.IsByteLevel ?? false;
        string? unk = model.TryGetProperty("unk_token", out var u) && u.ValueKind == JsonValueKind.String ? u.GetString() : null;
        _model = new BpeModel(vocab, merges, byteLevel,
            byteFallback: Flag(model, "byte_fallback"),
            unkId: unk is not null && vocab.TryGetValue(unk, out int unkId) ? unkId : null,
            fuseUnk: Flag(model, "fuse_unk"),
            ignoreMerges: Flag(model, "ignore_merges"),
            file: tokenizerFile);

        var added = new List<AddedToken>();
        if (root.TryGetProperty("added_tokens", out var at) && at.ValueKind == JsonValueKind.Array)
            foreach (var a in at.EnumerateArray())
                added.Add(new AddedToken(a.GetProperty("id").GetInt32(), a.GetProperty("content").GetString() ?? "",
                    Flag(a, "special"), Flag(a, "single_word"), Flag(a, "lstrip"), Flag(a, "rstrip"), Flag(a, "normalized")));
        _added = new AddedTokenMatcher(added);
        _addedByContent = added.GroupBy(a => a.Content).ToDictionary(g => g.Key, g => g.Last().Id, StringComparer.Ordinal);

        int maxId = Math.Max(vocab.Count == 0 ? -1 : vocab.Values.Max(), added.Count == 0 ? -1 : added.Max(a => a.Id));
        VocabSize = maxId + 1;
        _idToToken = new string?[VocabSize];
        foreach (var (tok, id) in vocab) _idToToken[id] = tok;
        _special = new bool[VocabSize];
        _isAdded = new bool[VocabSize];
        foreach (var a in added)
        {
            _idToToken[a.Id] = a.Content;
            _special[a.Id] = a.Special;
            _isAdded[a.Id] = true;
        }
        _decoding = DecodingTable.Build(Optional(root, "decoder"), _idToToken, tokenizerFile);
        (_prefixIds, _suffixIds) = PostProcessorIds(Optional(root, "post_processor"), tokenizerFile);

        BosId = ConfigTokenId(config, "bos_token");
        PadId = ConfigTokenId(config, "pad_token");
        Name = nameOverride ?? GuessName(config);
        var eos = new List<int>();
        if (ConfigTokenId(config, "eos_token") is int e) eos.Add(e);
        foreach (int g in generationEos) if (!eos.Contains(g)) eos.Add(g);
        // The stop tokens of each family's own generation_config.json, for directories that lack one.
        string[] familyStops = Name switch
        {
            "qwen3" => ["<|im_end|>", "<|endoftext|>"],
            "gemma3" => ["<end_of_turn>", "<eos>"],
            "o200k_harmony" => ["<|return|>", "<|endoftext|>", "<|call|>"],
            _ => [],
        };
        foreach (var stop in familyStops)
            if (TokenToId(stop) is int id && !eos.Contains(id)) eos.Add(id);
        _eos = [.. eos];
    }

    private static JsonElement? Optional(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind != JsonValueKind.Null ? v : null;

    private static bool Flag(JsonElement e, string name) => e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.True;

    private int? ConfigTokenId(JsonElement? config, string key)
    {
        if (config is null || !config.Value.TryGetProperty(key, out var v)) return null;
        string? content = v.ValueKind switch
        {
            JsonValueKind.String => v.GetString(),
            JsonValueKind.Object when v.TryGetProperty("content", out var c) => c.GetString(),
            _ => null,
        };
        return content is null ? null : TokenToId(content);
    }

    private string GuessName(JsonElement? config)
    {
        if (_addedByContent.ContainsKey("<|channel|>") && _addedByContent.ContainsKey("<|start|>")) return "o200k_harmony";
        if (_addedByContent.ContainsKey("<start_of_turn>")) return "gemma3";
        if (_addedByContent.ContainsKey("<|im_start|>")) return _addedByContent.ContainsKey("<think>") ? "qwen3" : "qwen2";
        if (config is { } c && c.TryGetProperty("tokenizer_class", out var cls) && cls.GetString() is string s) return s;
        return "bpe";
    }

    private (int[] Prefix, int[] Suffix) PostProcessorIds(JsonElement? post, string file)
    {
        if (post is null) return ([], []);
        var steps = new List<JsonElement>();
        void Flatten(JsonElement e)
        {
            if (e.GetProperty("type").GetString() == "Sequence")
                foreach (var p in e.GetProperty("processors").EnumerateArray()) Flatten(p);
            else steps.Add(e);
        }
        Flatten(post.Value);
        var prefix = new List<int>();
        var suffix = new List<int>();
        foreach (var step in steps)
        {
            string type = step.GetProperty("type").GetString() ?? "";
            if (type == "ByteLevel") continue; // only adjusts offsets in HF (trim_offsets); ids unchanged
            if (type != "TemplateProcessing")
                throw new InvalidDataException($"{file}: post-processor '{type}' is not supported (supported: TemplateProcessing, ByteLevel).");
            var specials = step.GetProperty("special_tokens");
            bool seenSequence = false;
            foreach (var item in step.GetProperty("single").EnumerateArray())
            {
                if (item.TryGetProperty("Sequence", out _)) { seenSequence = true; continue; }
                string key = item.GetProperty("SpecialToken").GetProperty("id").GetString() ?? "";
                var ids = specials.GetProperty(key).GetProperty("ids").EnumerateArray().Select(x => x.GetInt32());
                (seenSequence ? suffix : prefix).AddRange(ids);
            }
        }
        return ([.. prefix], [.. suffix]);
    }

    public int? TokenToId(string token)
    {
        if (_addedByContent.TryGetValue(token, out int a)) return a;
        return _model.Vocab.TryGetValue(token, out int id) ? id : null;
    }

    public string? IdToToken(int id) => (uint)id < (uint)_idToToken.Length ? _idToToken[id] : null;

    public bool IsSpecial(int id) => (uint)id < (uint)_special.Length && _special[id];

    // What the decoder makes of the id on its own. For added tokens that is their content (special markers have no '▁' or
    // byte-level escapes); Gemma's added whitespace runs ("▁▁▁▁", also in the vocab) decode to spaces, as the text holds.
    public byte[]? TokenBytes(int id)
    {
        if (_decoding.BytesOf(id) is byte[] bytes) return (byte[])bytes.Clone(); // the table's array stays private
        return _decoding.TextOf(id) is string text ? Encoding.UTF8.GetBytes(text) : null;
    }

    /// <summary>True for ids declared in added_tokens (matched on the raw text, special or not).</summary>
    internal bool IsAddedToken(int id) => (uint)id < (uint)_isAdded.Length && _isAdded[id];

    public IReadOnlyList<int> Encode(string text, bool parseSpecial = true, bool addSpecialTokens = false)
    {
        var ids = new List<int>(text.Length / 3 + 4);
        Run(text, parseSpecial, addSpecialTokens, ids, null);
        return ids;
    }

    public TokenizedText EncodeWithOffsets(string text, bool parseSpecial = true, bool addSpecialTokens = false)
    {
        var ids = new List<int>(text.Length / 3 + 4);
        var offsets = new List<(int, int)>(text.Length / 3 + 4);
        Run(text, parseSpecial, addSpecialTokens, ids, offsets);
        return new TokenizedText(ids, offsets);
    }

    private void Run(string text, bool parseSpecial, bool addSpecial, List<int> ids, List<(int, int)>? offsets)
    {
        ArgumentNullException.ThrowIfNull(text);
        int[]? bytePos = offsets is null ? null : Utf8Positions(text);
        if (addSpecial)
            foreach (int id in _prefixIds) { ids.Add(id); offsets?.Add((0, 0)); }
        var pieces = new List<(int Start, int End)>();
        List<int>? lengths = offsets is null ? null : new List<int>();
        int pos = 0, segmentStart = 0;
        while (pos <= text.Length)
        {
            int start = text.Length, end = 0;
            AddedToken? token = _added.Count == 0 ? null : _added.Next(text, pos, out start);
            if (token is not null)
            {
                end = start + token.Content.Length;
                if (token.Special && !parseSpecial) { pos = end; continue; } // stays plain text
                if (token.SingleWord && !IsWordBoundary(text, start, end)) { pos = start + 1; continue; }
                if (token.LStrip) while (start > segmentStart && char.IsWhiteSpace(text[start - 1])) start--;
                if (token.RStrip) while (end < text.Length && char.IsWhiteSpace(text[end])) end++;
            }
            else start = text.Length;
            if (start > segmentStart) EncodePlain(text, segmentStart, start, pieces, ids, offsets, lengths, bytePos);
            if (token is null) break;
            ids.Add(token.Id);
            offsets?.Add((bytePos![start], bytePos[end]));
            pos = segmentStart = end;
        }
        if (addSpecial)
        {
            int total = bytePos?[text.Length] ?? 0;
            foreach (int id in _suffixIds) { ids.Add(id); offsets?.Add((total, total)); }
        }
    }

    private static bool IsWordBoundary(string text, int start, int end)
    {
        static bool Word(char c) => char.IsLetterOrDigit(c) || c == '_';
        return (start == 0 || !Word(text[start - 1])) && (end >= text.Length || !Word(text[end]));
    }

    /// <summary>UTF-8 byte offset of every UTF-16 index (a lone surrogate counts as U+FFFD, 3 bytes).</summary>
    private static int[] Utf8Positions(string text)
    {
        var pos = new int[text.Length + 1];
        int b = 0;
        for (int i = 0; i < text.Length; i++)
        {
            pos[i] = b;
            char c = text[i];
            if (c < 0x80) b += 1;
            else if (c < 0x800) b += 2;
            else if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1])) { b += 4; pos[++i] = b; }
            else b += 3;
        }
        pos[text.Length] = b;
        return pos;
    }

    private void EncodePlain(string text, int start, int end, List<(int Start, int End)> pieces, List<int> ids,
        List<(int, int)>? offsets, List<int>? lengths, int[]? bytePos)
    {
        if (offsets is null)
        {
            string? normalized = _normalizer is null || _normalizer.LeavesUnchanged(text.AsSpan(start, end - start))
                ? null : _normalizer.ApplyText(text.Substring(start, end - start));
            ReadOnlySpan<char> span = normalized ?? text;
            int s = normalized is null ? start : 0, e = normalized is null ? end : normalized.Length;
            pieces.Clear();
            if (_preTokenizer is null) pieces.Add((s, e));
            else _preTokenizer.Split(span, s, e, pieces);
            foreach (var (ps, pe) in pieces) _model.Encode(span[ps..pe], ids, null);
            return;
        }

        var nt = new NormalizedText(text.Substring(start, end - start), null, null);
        if (_normalizer is not null) nt = _normalizer.Apply(nt);
        string norm = nt.Text;
        pieces.Clear();
        if (_preTokenizer is null) pieces.Add((0, norm.Length));
        else _preTokenizer.Split(norm, 0, norm.Length, pieces);

        int[] normPos = Utf8Positions(norm);
        int[]? startMap = null, endMap = null;
        if (!nt.IsIdentity) BuildByteMaps(text, start, nt, normPos, bytePos!, out startMap, out endMap);
        int baseByte = bytePos![start];
        foreach (var (ps, pe) in pieces)
        {
            lengths!.Clear();
            _model.Encode(norm.AsSpan(ps, pe - ps), ids, lengths);
            int nb = normPos[ps];
            for (int k = 0; k < lengths.Count; k++)
            {
                int ne = nb + lengths[k];
                if (startMap is null) offsets.Add((baseByte + nb, baseByte + ne));
                else offsets.Add((startMap[nb], Math.Max(startMap[nb], endMap![ne])));
                nb = ne;
            }
        }
    }

    /// <summary>
    /// Maps normalized UTF-8 positions to source positions: a character the normalizer left as it was maps byte for
    /// byte; a changed one maps every byte to the start (for token starts) or end (for token ends) of its source span.
    /// </summary>
    private static void BuildByteMaps(string text, int segmentStart, NormalizedText nt, int[] normPos, int[] bytePos,
        out int[] startMap, out int[] endMap)
    {
        string norm = nt.Text;
        int total = normPos[norm.Length];
        startMap = new int[total + 1];
        endMap = new int[total + 1];
        endMap[0] = bytePos[segmentStart];
        for (int k = 0; k < norm.Length;)
        {
            int units = char.IsHighSurrogate(norm[k]) && k + 1 < norm.Length && char.IsLowSurrogate(norm[k + 1]) ? 2 : 1;
            int os = segmentStart + nt.StartOf(k), oe = segmentStart + nt.EndOf(k + units - 1);
            bool identical = oe - os == units && text.AsSpan(os, units).SequenceEqual(norm.AsSpan(k, units));
            int ob = bytePos[os], obe = bytePos[oe];
            int nb = normPos[k], nbe = k + units < norm.Length ? normPos[k + units] : total;
            for (int d = 0; d < nbe - nb; d++)
            {
                startMap[nb + d] = identical ? ob + d : ob;
                endMap[nb + d + 1] = identical ? ob + d + 1 : obe;
            }
            k += units;
        }
        startMap[total] = endMap[total];
    }

    public string Decode(IEnumerable<int> ids, bool skipSpecial = false)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var decoder = (StreamingDecoder)CreateDecoder(skipSpecial);
        var sb = new StringBuilder();
        foreach (int id in ids) decoder.PushInto(id, sb);
        decoder.FlushInto(sb);
        return sb.ToString();
    }

    public IncrementalDecoder CreateDecoder(bool skipSpecial = false) =>
        new StreamingDecoder(_decoding, skipSpecial ? IsSpecial : static _ => false);
}

