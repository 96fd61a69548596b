using System.Buffers;
using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Text;

namespace Avocado.Text.Tokenizers;

// Ours, not Microsoft.ML.Tokenizers: its BPE gives ids different from HF tokenizers on non-NFC and astral text and runs 3× slower (docs/TOKENIZERS.md).

/// <summary>
/// Hugging Face's BPE model: the pair with the lowest merge rank merges first (leftmost on ties), until no pair of
/// adjacent symbols has a merge. Byte-level mode starts from one symbol per UTF-8 byte; otherwise from one symbol
/// per character, with <c>&lt;0xNN&gt;</c> byte fallback (or the unknown token) for characters not in the vocabulary.
/// Results are cached per piece.
/// </summary>
internal sealed class BpeModel
{
    private const int CacheLimit = 1 << 18;
    private const int MaxCachedPieceLength = 256;

    private readonly PairTable _merges; // (left << 32 | right) -> (rank << 32 | merged id)
    private readonly int[] _byteIds = new int[256];     // byte-level: id of each byte's character
    private readonly int[] _fallbackIds = new int[256]; // byte fallback: id of <0xNN>, -1 if absent
    private readonly Dictionary<int, int> _charIds = new(); // code point -> id of that one-character token
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _vocabLookup;
    private readonly ConcurrentDictionary<string, CacheEntry> _cache = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, CacheEntry>.AlternateLookup<ReadOnlySpan<char>> _cacheLookup;
    private readonly bool _byteFallback, _fuseUnk, _ignoreMerges;
    private int _cacheAdds;
    private readonly int _unkId;
    private readonly char _wordBoundary;          // a character before which pieces may be cut (SentencePiece '▁'), or 0
    private readonly bool[]? _joinsBoundary;      // characters that some token holds right before the boundary char

    private sealed record CacheEntry(int[] Ids, int[] ByteLengths);

    public bool ByteLevel { get; }
    public Dictionary<string, int> Vocab { get; }

    public BpeModel(Dictionary<string, int> vocab, IReadOnlyList<(string Left, string Right)> merges, bool byteLevel,
        bool byteFallback, int? unkId, bool fuseUnk, bool ignoreMerges, string file)
    {
        Vocab = vocab;
        ByteLevel = byteLevel;
        _byteFallback = byteFallback;
        _fuseUnk = fuseUnk;
        _ignoreMerges = ignoreMerges;
        _unkId = unkId ?? -1;
        _vocabLookup = vocab.GetAlternateLookup<ReadOnlySpan<char>>();
        _cacheLookup = _cache.GetAlternateLookup<ReadOnlySpan<char>>();

        _merges = new PairTable(merges.Count);
        for (int rank = 0; rank < merges.Count; rank++)
        {
            var (l, r) = merges[rank];
            if (!vocab.TryGetValue(l, out int a) || !vocab.TryGetValue(r, out int b) || !vocab.TryGetValue(l + r, out int m))
                throw new InvalidDataException($"{file}: merge #{rank} ('{l}', '{r}') refers to a token missing from the vocabulary.");
            _merges.TryAdd(((long)a << 32) | (uint)b, ((long)rank << 32) | (uint)m);
        }

        Array.Fill(_fallbackIds, -1);
        for (int b = 0; b < 256; b++)
        {
            if (byteLevel)
            {
                if (!vocab.TryGetValue(ByteLevelAlphabet.ByteToChar[b].ToString(), out _byteIds[b]))
                    throw new InvalidDataException($"{file}: byte-level vocabulary lacks the token for byte 0x{b:X2}.");
            }
            if (vocab.TryGetValue($"<0x{b:X2}>", out int f)) _fallbackIds[b] = f;
        }
        if (!byteLevel)
        {
            foreach (var (token, id) in vocab)
            {
                if (token.Length == 1 && !char.IsSurrogate(token[0])) _charIds.TryAdd(token[0], id);
                else if (token.Length == 2 && char.IsSurrogatePair(token[0], token[1])) _charIds.TryAdd(char.ConvertToUtf32(token[0], token[1]), id);
            }
            // SentencePiece vocabularies keep '▁' at the start of pieces: a piece may be cut before a '▁' run unless
            // some token holds the character in front of it followed by '▁' (then that character joins).
            const char boundary = '\u2581';
            if (vocab.ContainsKey(boundary.ToString()))
            {
                _wordBoundary = boundary;
                _joinsBoundary = new bool[65536];
                foreach (var token in vocab.Keys)
                    for (int i = 1; i < token.Length; i++)
                        if (token[i] == boundary && token[i - 1] != boundary) _joinsBoundary[token[i - 1]] = true;
            }
        }
    }

    /// <summary>Encodes one piece; appends ids and, when <paramref name="byteLengths"/> is given, each token's UTF-8 length.</summary>
    public void Encode(ReadOnlySpan<char> piece, List<int> ids, List<int>? byteLengths)
    {
        if (piece.IsEmpty) return;
        if (_wordBoundary != 0 && piece.Length > 1)
        {
            int start = 0;
            for (int i = 1; i < piece.Length; i++)
            {
                if (piece[i] == _wordBoundary && piece[i - 1] != _wordBoundary && !_joinsBoundary![piece[i - 1]])
                {
                    EncodeWord(piece[start..i], ids, byteLengths);
                    start = i;
                }
            }
            EncodeWord(piece[start..], ids, byteLengths);
            return;
        }
        EncodeWord(piece, ids, byteLengths);
    }

    private void EncodeWord(ReadOnlySpan<char> word, List<int> ids, List<int>? byteLengths)
    {
        if (word.Length <= MaxCachedPieceLength && _cacheLookup.TryGetValue(word, out var hit))
        {
            Append(hit, ids, byteLengths);
            return;
        }
        var entry = Compute(word);
        if (word.Length <= MaxCachedPieceLength)
        {
            if (Interlocked.Increment(ref _cacheAdds) >= CacheLimit)
            {
                _cache.Clear();
                Interlocked.Exchange(ref _cacheAdds, 0);
            }
            _cacheLookup.TryAdd(word, entry);
        }
        Append(entry, ids, byteLengths);
    }

    private static void Append(CacheEntry entry, List<int> ids, List<int>? byteLengths)
    {
        ids.AddRange(entry.Ids);
        byteLengths?.AddRange(entry.ByteLengths);
    }

    private CacheEntry Compute(ReadOnlySpan<char> word)
    {
        int maxSymbols = ByteLevel ? Encoding.UTF8.GetMaxByteCount(word.Length) : word.Length * 4;
        int[] rentedSym = ArrayPool<int>.Shared.Rent(maxSymbols);
        int[] rentedLen = ArrayPool<int>.Shared.Rent(maxSymbols);
        try
        {
            var sym = rentedSym.AsSpan(0, maxSymbols);
            var len = rentedLen.AsSpan(0, maxSymbols);
            int n = ByteLevel ? InitBytes(word, sym, len, out int? whole) : InitChars(word, sym, len, out whole);
            if (whole is int single) return new CacheEntry([single], [len[..n].ToArray().Sum()]);
            n = n <= 48 ? MergeSmall(sym, len, n) : MergeLarge(sym, len, n);
            return new CacheEntry(sym[..n].ToArray(), len[..n].ToArray());
        }
        finally
        {
            ArrayPool<int>.Shared.Return(rentedSym);
            ArrayPool<int>.Shared.Return(rentedLen);
        }
    }

    private int InitBytes(ReadOnlySpan<char> word, Span<int> sym, Span<int> len, out int? whole)
    {
        whole = null;
        int byteCount = Encoding.UTF8.GetByteCount(word);
        byte[]? rented = byteCount > 512 ? ArrayPool<byte>.Shared.Rent(byteCount) : null;
        Span<byte> bytes = rented is null ? stackalloc byte[byteCount] : rented.AsSpan(0, byteCount);
        Encoding.UTF8.GetBytes(word, bytes);
        if (_ignoreMerges && byteCount <= 256)
        {
            Span<char> chars = stackalloc char[byteCount];
            for (int i = 0; i < byteCount; i++) chars[i] = ByteLevelAlphabet.ByteToChar[bytes[i]];
            if (_vocabLookup.TryGetValue(chars, out int id)) whole = id;
        }
        for (int i = 0; i < byteCount; i++)
        {
            sym[i] = _byteIds[bytes[i]];
            len[i] = 1;
        }
        if (rented is not null) ArrayPool<byte>.Shared.Return(rented);
        return byteCount;
    }

    private int InitChars(ReadOnlySpan<char> word, Span<int> sym, Span<int> len, out int? whole)
    {
        whole = null;
        if (_ignoreMerges && _vocabLookup.TryGetValue(word, out int wid))
        {
            whole = wid;
            len[0] = Encoding.UTF8.GetByteCount(word);
            return 1;
        }
        int n = 0;
        Span<byte> utf8 = stackalloc byte[4];
        for (int i = 0; i < word.Length;)
        {
            int cp;
            int units = 1;
            if (char.IsHighSurrogate(word[i]) && i + 1 < word.Length && char.IsLowSurrogate(word[i + 1])) { cp = char.ConvertToUtf32(word[i], word[i + 1]); units = 2; }
            else cp = char.IsSurrogate(word[i]) ? 0xFFFD : word[i];
            i += units;
            int byteLen = new Rune(cp).EncodeToUtf8(utf8);
            if (_charIds.TryGetValue(cp, out int id))
            {
                sym[n] = id; len[n] = byteLen; n++;
                continue;
            }
            bool fallback = _byteFallback;
            if (fallback)
                for (int b = 0; b < byteLen; b++)
                    if (_fallbackIds[utf8[b]] < 0) { fallback = false; break; }
            if (fallback)
            {
                for (int b = 0; b < byteLen; b++) { sym[n] = _fallbackIds[utf8[b]]; len[n] = 1; n++; }
                continue;
            }
            if (_unkId < 0) throw new InvalidOperationException($"character U+{cp:X4} is not in the vocabulary and the model has no unknown token");
            if (_fuseUnk && n > 0 && sym[n - 1] == _unkId) { len[n - 1] += byteLen; continue; }
            sym[n] = _unkId; len[n] = byteLen; n++;
        }
        return n;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private long Merge(int a, int b) => _merges.GetOrDefault(((long)a << 32) | (uint)b, long.MaxValue);

    /// <summary>Few symbols: keep each adjacent pair's rank in an array and rescan it for the minimum.</summary>
    private int MergeSmall(Span<int> sym, Span<int> len, int n)
    {
        Span<long> pair = stackalloc long[n];
        for (int i = 0; i + 1 < n; i++) pair[i] = Merge(sym[i], sym[i + 1]);
        while (n > 1)
        {
            int best = -1;
            long bestRank = long.MaxValue;
            for (int i = 0; i + 1 < n; i++)
                if (pair[i] < bestRank) { bestRank = pair[i]; best = i; }
            if (best < 0) break;
            sym[best] = (int)(bestRank & 0xFFFFFFFF);
            len[best] += len[best + 1];
            for (int i = best + 1; i + 1 < n; i++) { sym[i] = sym[i + 1]; len[i] = len[i + 1]; pair[i] = pair[i + 1]; }
            n--;
            if (best > 0) pair[best - 1] = Merge(sym[best - 1], sym[best]);
            pair[best] = best + 1 < n ? Merge(sym[best], sym[best + 1]) : long.MaxValue;
        }
        return n;
    }

    /// <summary>Many symbols: a priority queue of (rank, position) over a linked list, as in Hugging Face tokenizers.</summary>
    private int MergeLarge(Span<int> sym, Span<int> len, int n)
    {
        int[] nextArray = ArrayPool<int>.Shared.Rent(n), prevArray = ArrayPool<int>.Shared.Rent(n);
        var next = nextArray.AsSpan(0, n);
        var prev = prevArray.AsSpan(0, n);
        for (int i = 0; i < n; i++) { next[i] = i + 1 < n ? i + 1 : -1; prev[i] = i - 1; }
        // Priority: rank in the high 32 bits, position in the low ones (ties go to the leftmost pair).
        var queue = new PriorityQueue<int, long>(n);
        for (int i = 0; i + 1 < n; i++)
        {
            long m = Merge(sym[i], sym[i + 1]);
            if (m != long.MaxValue) queue.Enqueue(i, (m & ~0xFFFFFFFFL) | (uint)i);
        }
        while (queue.TryDequeue(out int pos, out long key))
        {
            if (len[pos] == 0) continue; // merged away
            int right = next[pos];
            if (right < 0) continue;
            long m = Merge(sym[pos], sym[right]);
            if (m == long.MaxValue || (m >> 32) != (key >> 32)) continue; // stale entry
            sym[pos] = (int)(m & 0xFFFFFFFF);
            len[pos] += len[right];
            len[right] = 0;
            next[pos] = next[right];
            if (next[right] >= 0) prev[next[right]] = pos;
            int p = prev[pos];
            if (p >= 0)
            {
                long pm = Merge(sym[p], sym[pos]);
                if (pm != long.MaxValue) queue.Enqueue(p, (pm & ~0xFFFFFFFFL) | (uint)p);
            }
            if (next[pos] >= 0)
            {
                long nm = Merge(sym[pos], sym[next[pos]]);
                if (nm != long.MaxValue) queue.Enqueue(pos, (nm & ~0xFFFFFFFFL) | (uint)pos);
            }
        }
        int count = 0;
        for (int i = 0; i >= 0 && i < n; i = next[i])
        {
            sym[count] = sym[i];
            len[count] = len[i];
            count++;
        }
        ArrayPool<int>.Shared.Return(nextArray);
        ArrayPool<int>.Shared.Return(prevArray);
        return count;
    }
}
