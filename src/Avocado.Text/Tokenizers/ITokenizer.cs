namespace Avocado.Text.Tokenizers;

/// <summary>
/// A tokenizer loaded from a checkpoint directory (Hugging Face <c>tokenizer.json</c> + <c>tokenizer_config.json</c>).
/// Implementations are immutable and safe to use from several threads at once. See docs/TOKENIZERS.md.
/// </summary>
public interface ITokenizer
{
    /// <summary>Short name: "qwen3", "gemma3", "o200k_harmony", or what the checkpoint's config implies.</summary>
    string Name { get; }

    /// <summary>Largest token id + 1, added tokens included.</summary>
    int VocabSize { get; }

    /// <summary>
    /// Token ids of <paramref name="text"/>. <paramref name="parseSpecial"/>: special added tokens written in the text
    /// (e.g. <c>&lt;|im_start|&gt;</c>) become their single id; when false they are tokenized as plain text (added tokens
    /// not flagged special, such as Qwen3's <c>&lt;think&gt;</c>, are still matched, as in Hugging Face tokenizers).
    /// <paramref name="addSpecialTokens"/>: add what the post-processor adds (Gemma 3's <c>&lt;bos&gt;</c>).
    /// </summary>
    IReadOnlyList<int> Encode(string text, bool parseSpecial = true, bool addSpecialTokens = false);

    /// <summary>Ids plus, per token, the [start, end) UTF-8 byte range of <paramref name="text"/> it came from.</summary>
    TokenizedText EncodeWithOffsets(string text, bool parseSpecial = true, bool addSpecialTokens = false);

    /// <summary>
    /// Text of <paramref name="ids"/>; invalid UTF-8 becomes U+FFFD (one per maximal invalid subsequence); ids that no
    /// token has (e.g. padding rows of a larger embedding) decode to nothing.
    /// </summary>
    string Decode(IEnumerable<int> ids, bool skipSpecial = false);

    /// <summary>A decoder for streaming: concatenating every <c>Push</c> and the final <c>Flush</c> equals <see cref="Decode"/>.</summary>
    IncrementalDecoder CreateDecoder(bool skipSpecial = false);

    int? TokenToId(string token);
    string? IdToToken(int id);

    /// <summary>True for added tokens flagged special (skipped by <c>skipSpecial</c>).</summary>
    bool IsSpecial(int id);

    /// <summary>
    /// The raw bytes token <paramref name="id"/> decodes to on its own, before any UTF-8 decoding (so a byte-level token
    /// holding part of a character returns exactly those bytes; Gemma's '▁' is a space; special tokens return their
    /// content's UTF-8); null for ids no token has. Decoder steps that depend on the position in the
    /// output (a leading-space Strip) are not applied. Cross-tokenizer alignment compares tokens by these bytes.
    /// </summary>
    byte[]? TokenBytes(int id);

    int? BosId { get; }
    IReadOnlyList<int> EosIds { get; }
    int? PadId { get; }
}

/// <summary>
/// Token ids with, per token, the [Start, End) UTF-8 byte offsets into the encoded text. A token made of whole
/// characters covers exactly their bytes; a byte-level token holding part of a character covers exactly those bytes;
/// tokens from a span the normalizer changed (e.g. NFC composition) all cover that whole span; tokens added by the
/// post-processor (BOS) get the empty span (0, 0).
/// </summary>
public sealed record TokenizedText(IReadOnlyList<int> Ids, IReadOnlyList<(int Start, int End)> ByteOffsets);

/// <summary>
/// Streaming decoder: <see cref="Push"/> returns the text that became complete with this token (never half a
/// character); <see cref="Flush"/> returns what is left (an unfinished UTF-8 sequence becomes U+FFFD) and resets.
/// </summary>
public abstract class IncrementalDecoder
{
    public abstract string Push(int id);
    public abstract string Flush();
}
