using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Avocado.Text.Tokenizers;

/// <summary>
/// Writes small byte-level BPE tokenizers (Hugging Face tokenizer.json + tokenizer_config.json): the 256 byte tokens,
/// the given merges, and a chat family's special tokens. For tiny students and teachers in tests and the quickstart,
/// where a 150k–260k-entry vocabulary would dominate the model; loaded by the same <see cref="TokenizerLoader"/> as
/// real checkpoints, and readable by Hugging Face tokenizers.
/// </summary>
public static class SmallTokenizers
{
    /// <summary>Special tokens each chat family's format writes (the first is also BOS/EOS-like).</summary>
    public static IReadOnlyList<string> SpecialTokensFor(string family) => family switch
    {
        "qwen3" => ["<|endoftext|>", "<|im_start|>", "<|im_end|>", "<think>", "</think>", "<tool_call>", "</tool_call>"],
        "gemma3" => ["<pad>", "<eos>", "<bos>", "<start_of_turn>", "<end_of_turn>"],
        // A Gemma 3 that sees: its image markers and the placeholder the vision features replace.
        "gemma3-vision" => [.. SpecialTokensFor("gemma3"), "<start_of_image>", "<end_of_image>", "<image_soft_token>"],
        "gpt-oss" => ["<|endoftext|>", "<|start|>", "<|end|>", "<|message|>", "<|channel|>", "<|constrain|>", "<|return|>", "<|call|>"],
        _ => throw new ArgumentException($"unknown chat family '{family}'"),
    };

    /// <param name="merges">BPE merges as pairs of byte-level token strings, in priority order.</param>
    /// <param name="chatTemplate">Written as tokenizer_config.json's <c>chat_template</c> when given.</param>
    public static void WriteByteLevel(string dir, string family, IReadOnlyList<(string Left, string Right)>? merges = null, string? chatTemplate = null)
    {
        Directory.CreateDirectory(dir);
        var vocab = new JsonObject();
        for (int b = 0; b < 256; b++) vocab[ByteLevelAlphabet.ByteToChar[b].ToString()] = b;
        int next = 256;
        var mergeList = new JsonArray();
        foreach (var (l, r) in merges ?? [])
        {
            if (!vocab.ContainsKey(l + r)) vocab[l + r] = next++;
            mergeList.Add($"{l} {r}");
        }
        var added = new JsonArray();
        var specials = SpecialTokensFor(family);
        foreach (var token in specials)
            added.Add(new JsonObject
            {
                ["id"] = next++, ["content"] = token, ["single_word"] = false, ["lstrip"] = false, ["rstrip"] = false,
                ["normalized"] = false, ["special"] = token is not ("<think>" or "</think>" or "<tool_call>" or "</tool_call>"),
            });
        var tokenizer = new JsonObject
        {
            ["version"] = "1.0", ["truncation"] = null, ["padding"] = null, ["added_tokens"] = added, ["normalizer"] = null,
            ["pre_tokenizer"] = new JsonObject { ["type"] = "ByteLevel", ["add_prefix_space"] = false, ["trim_offsets"] = true, ["use_regex"] = true },
            ["post_processor"] = null,
            ["decoder"] = new JsonObject { ["type"] = "ByteLevel", ["add_prefix_space"] = true, ["trim_offsets"] = true, ["use_regex"] = true },
            ["model"] = new JsonObject
            {
                ["type"] = "BPE", ["dropout"] = null, ["unk_token"] = null, ["continuing_subword_prefix"] = null, ["end_of_word_suffix"] = null,
                ["fuse_unk"] = false, ["byte_fallback"] = false, ["ignore_merges"] = false, ["vocab"] = vocab, ["merges"] = mergeList,
            },
        };
        var (bos, eos, pad) = family switch
        {
            "gemma3" or "gemma3-vision" => ("<bos>", "<eos>", "<pad>"),
            _ => ((string?)null, "<|endoftext|>", "<|endoftext|>"),
        };
        var config = new JsonObject
        {
            ["bos_token"] = bos, ["eos_token"] = eos, ["pad_token"] = pad, ["add_bos_token"] = false, ["add_eos_token"] = false,
            ["model_max_length"] = 4096, ["tokenizer_class"] = "PreTrainedTokenizerFast",
        };
        if (chatTemplate is not null) config["chat_template"] = chatTemplate;
        File.WriteAllText(Path.Combine(dir, "tokenizer.json"), tokenizer.ToJsonString());
        File.WriteAllText(Path.Combine(dir, "tokenizer_config.json"), config.ToJsonString());
    }

    /// <summary>GPT-2's pre-tokenization, which the ByteLevel pre-tokenizer applies: merges never cross these pieces.</summary>
    static readonly Regex Pieces = new(@"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+", RegexOptions.Compiled);

    /// <summary>
    /// Learns <paramref name="count"/> byte-level BPE merges from a corpus (Sennrich et al.: repeatedly merge the most
    /// frequent adjacent pair within pre-tokenized pieces; ties broken by ordinal order, so the result is
    /// deterministic). Different corpora or counts give tokenizers that split the same text differently.
    /// </summary>
    /// <param name="digitsApart">Never merge digits (as Qwen3 and Llama 3 split numbers into single digits): a small
    /// model then learns arithmetic digit by digit instead of one token per number.</param>
    public static IReadOnlyList<(string Left, string Right)> LearnMerges(IEnumerable<string> corpus, int count, bool digitsApart = false)
    {
        var words = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var text in corpus)
            foreach (Match m in Pieces.Matches(text))
            {
                var piece = ByteLevelAlphabet.Encode(Encoding.UTF8.GetBytes(m.Value));
                words[piece] = words.GetValueOrDefault(piece) + 1;
            }
        var symbols = words.Select(w => (Symbols: w.Key.Select(c => c.ToString()).ToList(), Count: w.Value)).ToList();
        var merges = new List<(string, string)>();
        while (merges.Count < count)
        {
            var pairs = new Dictionary<(string, string), int>();
            foreach (var (s, n) in symbols)
                for (int i = 0; i + 1 < s.Count; i++)
                    if (!digitsApart || !(s[i].Any(char.IsAsciiDigit) || s[i + 1].Any(char.IsAsciiDigit)))
                        pairs[(s[i], s[i + 1])] = pairs.GetValueOrDefault((s[i], s[i + 1])) + n;
            if (pairs.Count == 0) break;
            var best = pairs.OrderByDescending(p => p.Value).ThenBy(p => p.Key.Item1, StringComparer.Ordinal)
                .ThenBy(p => p.Key.Item2, StringComparer.Ordinal).First();
            if (best.Value < 2) break; // a pair seen once is not worth a token
            merges.Add(best.Key);
            var (l, r) = best.Key;
            foreach (var (s, _) in symbols)
                for (int i = 0; i + 1 < s.Count; i++)
                    if (s[i] == l && s[i + 1] == r) { s[i] = l + r; s.RemoveAt(i + 1); }
        }
        return merges;
    }
}
