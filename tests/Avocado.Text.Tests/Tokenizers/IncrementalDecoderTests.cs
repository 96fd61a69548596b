using Avocado.Text.Tokenizers;

namespace Avocado.Text.Tests.Tokenizers;

/// <summary>Streaming decoding: never half a character, and the pieces add up to the full decoding.</summary>
public class IncrementalDecoderTests
{
    private static void AssertStreamsLikeDecode(ITokenizer tokenizer, IReadOnlyList<int> ids, bool skipSpecial, string label)
    {
        string full = tokenizer.Decode(ids, skipSpecial);
        var decoder = tokenizer.CreateDecoder(skipSpecial);
        var pieces = new List<string>();
        foreach (int id in ids) pieces.Add(decoder.Push(id));
        pieces.Add(decoder.Flush());
        Assert.True(string.Concat(pieces) == full, $"{label}: streamed text differs from Decode");
        bool fullHasReplacement = full.Contains('\uFFFD');
        for (int k = 0; k < pieces.Count; k++)
        {
            string p = pieces[k];
            if (p.Length == 0) continue;
            Assert.False(char.IsHighSurrogate(p[^1]), $"{label}: piece {k} ends with half a surrogate pair");
            Assert.False(char.IsLowSurrogate(p[0]), $"{label}: piece {k} starts with half a surrogate pair");
            if (!fullHasReplacement) Assert.False(p.Contains('\uFFFD'), $"{label}: piece {k} has U+FFFD though the full decoding has none");
        }
    }

    [Theory]
    [MemberData(nameof(Teachers.All), MemberType = typeof(Teachers))]
    public void Streaming_every_corpus_text_equals_full_decoding(string name)
    {
        var tokenizer = Teachers.Get(name);
        foreach (var entry in Corpus.Entries)
        {
            var ids = tokenizer.Encode(entry.Text, addSpecialTokens: true);
            AssertStreamsLikeDecode(tokenizer, ids, skipSpecial: false, entry.Name);
            AssertStreamsLikeDecode(tokenizer, ids, skipSpecial: true, entry.Name + " (skip special)");
        }
    }

    [Fact]
    public void Push_holds_back_a_character_until_its_last_byte()
    {
        // "€" is E2 82 AC; in byte-level vocabularies each byte alone is a token.
        foreach (var name in new[] { BuiltInTokenizers.Qwen3, BuiltInTokenizers.O200kHarmony })
        {
            var tokenizer = Teachers.Get(name);
            int[] bytes = [.. new[] { 0xE2, 0x82, 0xAC }.Select(b => tokenizer.TokenToId(ByteLevelAlphabet.ByteToChar[b].ToString())!.Value)];
            var decoder = tokenizer.CreateDecoder();
            Assert.Equal("", decoder.Push(bytes[0]));
            Assert.Equal("", decoder.Push(bytes[1]));
            Assert.Equal("€", decoder.Push(bytes[2]));
            Assert.Equal("", decoder.Push(bytes[0]));
            Assert.Equal("\uFFFD", decoder.Flush()); // an unfinished sequence at the end
        }
        var gemma = Teachers.Get(BuiltInTokenizers.Gemma3);
        int[] fallback = [.. new[] { "<0xE2>", "<0x82>", "<0xAC>" }.Select(t => gemma.TokenToId(t)!.Value)];
        var g = gemma.CreateDecoder();
        Assert.Equal("", g.Push(fallback[0]));
        Assert.Equal("", g.Push(fallback[1]));
        Assert.Equal("€", g.Push(fallback[2]));
        Assert.Equal("", g.Flush());
    }

    /// <summary>Token sequences a model may emit: partial characters, stray continuation bytes, specials in between.</summary>
    private static List<int[]> MalformedSequences(ITokenizer tokenizer, int seed)
    {
        var random = new Random(seed);
        var partial = new List<int>();
        for (int id = 0; id < tokenizer.VocabSize && partial.Count < 2000; id++)
        {
            string? token = tokenizer.IdToToken(id);
            if (token is null) continue;
            bool isPartial = tokenizer.Name == BuiltInTokenizers.Gemma3
                ? token.Length == 6 && token.StartsWith("<0x", StringComparison.Ordinal) && Convert.ToByte(token.Substring(3, 2), 16) >= 0x80
                : ByteLevelAlphabet.TryDecode(token) is byte[] b && !IsValidUtf8(b);
            if (isPartial) partial.Add(id);
        }
        Assert.True(partial.Count > 50, "too few partial-character tokens found");
        int[] plain = [.. tokenizer.Encode("a b 中 😀 ").Distinct()];
        int[] special = [.. new[] { tokenizer.EosIds[0], tokenizer.PadId ?? tokenizer.EosIds[0] }];
        var sequences = new List<int[]>();
        for (int s = 0; s < 300; s++)
        {
            int n = random.Next(1, 12);
            var seq = new int[n];
            for (int k = 0; k < n; k++)
            {
                int r = random.Next(10);
                seq[k] = r < 6 ? partial[random.Next(partial.Count)] : r < 9 ? plain[random.Next(plain.Length)] : special[random.Next(special.Length)];
            }
            sequences.Add(seq);
        }
        return sequences;
    }

    private static bool IsValidUtf8(byte[] b)
    {
        try { new System.Text.UTF8Encoding(false, true).GetString(b); return true; }
        catch (System.Text.DecoderFallbackException) { return false; }
    }

    [Theory]
    [MemberData(nameof(Teachers.All), MemberType = typeof(Teachers))]
    public void Malformed_sequences_stream_like_decode_and_decode_like_the_reference(string name)
    {
        var tokenizer = Teachers.Get(name);
        var sequences = MalformedSequences(tokenizer, seed: 7);
        // Gemma: transformers.js decodes a run of byte-fallback tokens with one U+FFFD per maximal invalid
        // subsequence, as we do; Hugging Face tokenizers turns the whole run into U+FFFDs when any byte is invalid.
        string reference = name == BuiltInTokenizers.Gemma3 ? Teachers.References(name).Js : Teachers.References(name).Rust;
        var expected = Reference.Decode(reference, sequences);
        for (int i = 0; i < sequences.Count; i++)
        {
            AssertStreamsLikeDecode(tokenizer, sequences[i], skipSpecial: false, $"sequence {i}");
            AssertStreamsLikeDecode(tokenizer, sequences[i], skipSpecial: true, $"sequence {i} (skip special)");
            Assert.True(expected[i] == tokenizer.Decode(sequences[i]), $"sequence {i} [{string.Join(",", sequences[i])}]: {reference} decodes differently");
        }
    }
}
