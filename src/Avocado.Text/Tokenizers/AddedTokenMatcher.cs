namespace Avocado.Text.Tokenizers;

/// <summary>An added token as declared in tokenizer.json.</summary>
internal sealed record AddedToken(int Id, string Content, bool Special, bool SingleWord, bool LStrip, bool RStrip, bool Normalized);

/// <summary>
/// Finds added tokens in raw text: leftmost match first, and the longest token among those starting there
/// (Hugging Face's leftmost-longest Aho-Corasick semantics).
/// </summary>
internal sealed class AddedTokenMatcher
{
    private readonly Dictionary<string, AddedToken> _tokens = new(StringComparer.Ordinal);
    private readonly Dictionary<string, AddedToken>.AlternateLookup<ReadOnlySpan<char>> _lookup;
    private readonly Dictionary<char, int[]> _lengthsByFirstChar = new(); // candidate lengths, longest first
    private readonly bool[] _canStart = new bool[65536];

    public AddedTokenMatcher(IEnumerable<AddedToken> tokens)
    {
        var lengths = new Dictionary<char, SortedSet<int>>();
        foreach (var t in tokens)
        {
            if (t.Content.Length == 0) continue;
            _tokens[t.Content] = t;
            char first = t.Content[0];
            if (!lengths.TryGetValue(first, out var set)) lengths[first] = set = new SortedSet<int>();
            set.Add(t.Content.Length);
            _canStart[first] = true;
        }
        foreach (var (c, set) in lengths) _lengthsByFirstChar[c] = set.Reverse().ToArray();
        _lookup = _tokens.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    public int Count => _tokens.Count;

    /// <summary>The next added token at or after <paramref name="from"/>; null when there is none.</summary>
    public AddedToken? Next(ReadOnlySpan<char> text, int from, out int start)
    {
        for (int i = from; i < text.Length; i++)
        {
            char c = text[i];
            if (!_canStart[c]) continue;
            foreach (int len in _lengthsByFirstChar[c])
            {
                if (i + len > text.Length) continue;
                if (_lookup.TryGetValue(text.Slice(i, len), out var token))
                {
                    start = i;
                    return token;
                }
            }
        }
        start = text.Length;
        return null;
    }
}
