using System.Buffers;
using System.Text;
using Avocado.Text.Tokenizers;

namespace Avocado.Training.Alignment;

/// <summary>
/// A teacher id → student id table. <see cref="StudentIds"/>[teacherId] is −1 where no student token has the teacher
/// token's bytes (and for special tokens and ids no token has); ids at or past its length (a model's padded embedding
/// rows) have no token at all.
/// </summary>
public sealed record VocabularyMap(int[] StudentIds, int Mapped, int Eligible)
{
    /// <summary>Fraction of the teacher's non-special tokens that have a student token with the same bytes.</summary>
    public double Coverage => Eligible == 0 ? 0 : (double)Mapped / Eligible;

    public int this[int teacherId] => (uint)teacherId < (uint)StudentIds.Length ? StudentIds[teacherId] : -1;
}

/// <summary>
/// Finds the student token with exactly the bytes of a teacher token (<see cref="ITokenizer.TokenBytes"/>), so teacher
/// probabilities can be moved onto student ids where the token strings coincide — never by reusing or truncating ids,
/// which differ between vocabularies even within a family.
/// </summary>
public sealed class VocabularyBridge
{
    // Keyed by the bytes as Latin-1 chars (one char per byte, so equal strings ⇔ equal bytes); looked up without
    // allocating through the span alternate lookup.
    private readonly Dictionary<string, int> _byBytes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _lookup;

    /// <summary>
    /// Indexes every non-special student token by its bytes. Where several share them, the one the student's own encoder
    /// produces for those bytes wins, else the lowest id: Gemma 3 spells 110 byte strings twice, as a byte-fallback token
    /// (&lt;0x09&gt;, low id) and as a normal one ("\t"), and only the normal one ever appears in its tokenizations.
    /// </summary>
    public VocabularyBridge(ITokenizer student)
    {
        ArgumentNullException.ThrowIfNull(student);
        Student = student;
        var shared = new HashSet<string>(StringComparer.Ordinal);
        for (int id = 0; id < student.VocabSize; id++)
        {
            // Special tokens are control symbols, not text: a teacher's plain "<eos>" must not become the student's EOS.
            if (student.IsSpecial(id) || student.TokenBytes(id) is not { Length: > 0 } bytes) continue;
            string key = Encoding.Latin1.GetString(bytes);
            if (!_byBytes.TryAdd(key, id)) shared.Add(key);
        }
        foreach (string key in shared)
            if (EncodesAsOneToken(student, Encoding.Latin1.GetBytes(key)) is int canonical) _byBytes[key] = canonical;
        _lookup = _byBytes.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    /// <summary>The single non-special id the tokenizer encodes <paramref name="bytes"/> to, if they are valid UTF-8 and it does.</summary>
    private static int? EncodesAsOneToken(ITokenizer tokenizer, byte[] bytes)
    {
        string text;
        try { text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes); }
        catch (DecoderFallbackException) { return null; }
        var ids = tokenizer.Encode(text, parseSpecial: false);
        return ids.Count == 1 && !tokenizer.IsSpecial(ids[0]) && tokenizer.TokenBytes(ids[0]).AsSpan().SequenceEqual(bytes) ? ids[0] : null;
    }

    public ITokenizer Student { get; }

    /// <summary>Number of distinct byte strings the student's non-special tokens spell.</summary>
    public int Count => _byBytes.Count;

    public int? StudentId(ReadOnlySpan<byte> tokenBytes)
    {
        if (tokenBytes.IsEmpty) return null;
        char[]? rented = tokenBytes.Length > 256 ? ArrayPool<char>.Shared.Rent(tokenBytes.Length) : null;
        Span<char> chars = rented is null ? stackalloc char[tokenBytes.Length] : rented;
        try
        {
            int n = Encoding.Latin1.GetChars(tokenBytes, chars);
            return _lookup.TryGetValue(chars[..n], out int id) ? id : null;
        }
        finally
        {
            if (rented is not null) ArrayPool<char>.Shared.Return(rented);
        }
    }

    /// <summary>The student token spelling the UTF-8 of <paramref name="tokenText"/> (a whole-character token).</summary>
    public int? StudentId(string tokenText)
    {
        ArgumentNullException.ThrowIfNull(tokenText);
        return StudentId(Encoding.UTF8.GetBytes(tokenText));
    }

    /// <summary>
    /// The table for an in-process teacher tokenizer: each of its non-special ids → the student id with the same bytes,
    /// −1 where there is none. Teacher special tokens map to −1 (control symbols are matched by role, not by spelling).
    /// </summary>
    public VocabularyMap MapVocabulary(ITokenizer teacher)
    {
        ArgumentNullException.ThrowIfNull(teacher);
        var map = new int[teacher.VocabSize];
        int mapped = 0, eligible = 0;
        for (int id = 0; id < map.Length; id++)
        {
            map[id] = -1;
            if (teacher.IsSpecial(id) || teacher.TokenBytes(id) is not { Length: > 0 } bytes) continue;
            eligible++;
            if (StudentId(bytes) is int s)
            {
                map[id] = s;
                mapped++;
            }
        }
        return new VocabularyMap(map, mapped, eligible);
    }
}
