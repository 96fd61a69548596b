using System.Text;
using Avocado.Text.Tokenizers;
using Avocado.Text.Tokenizers.Unicode;

namespace Avocado.Text.Tests.Tokenizers;

/// <summary>
/// UTF-8 byte offsets: where the normalizer leaves the text as it is, the spans tile the text and each span's bytes
/// are exactly the token's bytes (byte-level tokens holding part of a character included). Where the normalizer
/// changed the text (Qwen3's NFC), tokens cover the changed span as a whole and the spans still tile the text.
/// </summary>
public class OffsetTests
{
    [Theory]
    [MemberData(nameof(Teachers.All), MemberType = typeof(Teachers))]
    public void Offsets_slice_the_text_into_the_tokens_bytes(string name)
    {
        var tokenizer = Teachers.Get(name);
        foreach (var entry in Corpus.Entries)
            foreach (bool parseSpecial in new[] { true, false })
                Check(tokenizer, entry.Name, entry.Text, parseSpecial);
    }

    [Theory]
    [MemberData(nameof(Teachers.All), MemberType = typeof(Teachers))]
    public void Offsets_hold_on_random_text(string name)
    {
        var tokenizer = Teachers.Get(name);
        foreach (var (i, text) in FuzzText.Generate(seed: 11, count: 400).Index())
            Check(tokenizer, $"fuzz #{i}", text, parseSpecial: true);
    }

    internal static void Check(ITokenizer tokenizer, string label, string text, bool parseSpecial)
    {
        var result = tokenizer.EncodeWithOffsets(text, parseSpecial, addSpecialTokens: true);
        Assert.Equal(tokenizer.Encode(text, parseSpecial, addSpecialTokens: true), result.Ids);
        Assert.Equal(result.Ids.Count, result.ByteOffsets.Count);
        byte[] bytes = Encoding.UTF8.GetBytes(text);
        int bos = result.Ids.Count - tokenizer.Encode(text, parseSpecial, addSpecialTokens: false).Count; // what the post-processor added
        Assert.Equal(tokenizer.Name == BuiltInTokenizers.Gemma3 ? 1 : 0, bos);
        if (bos == 1) Assert.Equal((0, 0), result.ByteOffsets[0]);
        bool identity = tokenizer.Name != BuiltInTokenizers.Qwen3 || Nfc.Normalize(text) == text;
        int expectedStart = 0;
        var covered = new List<byte>();
        for (int k = bos; k < result.Ids.Count; k++)
        {
            var (start, end) = result.ByteOffsets[k];
            Assert.True(0 <= start && start <= end && end <= bytes.Length, $"{label}: token {k} span ({start},{end}) outside 0..{bytes.Length}");
            if (identity)
            {
                Assert.True(start == expectedStart, $"{label}: token {k} starts at {start}, expected {expectedStart} (spans must tile the text)");
                byte[] tokenBytes = TokenBytes(tokenizer, result.Ids[k]);
                byte[] slice = bytes.AsSpan(start, end - start).ToArray();
                if (tokenizer.Name == BuiltInTokenizers.Gemma3 && !IsByteFallback(tokenizer, result.Ids[k]))
                    slice = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(slice).Replace(' ', '\u2581')); // Gemma's normalizer: ' ' -> '▁'
                Assert.True(slice.AsSpan().SequenceEqual(tokenBytes),
                    $"{label}: token {k} (id {result.Ids[k]}) covers bytes {Convert.ToHexString(bytes, start, end - start)}, its own bytes are {Convert.ToHexString(tokenBytes)}");
                expectedStart = end;
            }
            else
            {
                Assert.True(start >= expectedStart || end <= expectedStart, $"{label}: token {k} goes backwards");
                Assert.True(start <= expectedStart, $"{label}: gap before token {k}");
                expectedStart = Math.Max(expectedStart, end);
                covered.AddRange(TokenBytes(tokenizer, result.Ids[k]));
            }
        }
        Assert.True(expectedStart == bytes.Length, $"{label}: spans end at {expectedStart}, text has {bytes.Length} bytes");
        if (!identity) Assert.Equal(Encoding.UTF8.GetBytes(Nfc.Normalize(text)), covered.ToArray());
    }

    private static bool IsByteFallback(ITokenizer tokenizer, int id) =>
        tokenizer.IdToToken(id) is { Length: 6 } t && t.StartsWith("<0x", StringComparison.Ordinal);

    /// <summary>The bytes of the normalized text a token stands for (Gemma: with '▁' for spaces).</summary>
    internal static byte[] TokenBytes(ITokenizer tokenizer, int id)
    {
        string token = tokenizer.IdToToken(id)!;
        if (tokenizer.Name == BuiltInTokenizers.Gemma3)
            return IsByteFallback(tokenizer, id) ? [Convert.ToByte(token.Substring(3, 2), 16)] : Encoding.UTF8.GetBytes(token);
        return ByteLevelAlphabet.TryDecode(token) ?? Encoding.UTF8.GetBytes(token);
    }
}
