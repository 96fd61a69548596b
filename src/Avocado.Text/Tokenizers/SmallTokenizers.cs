using System.Text.Json.Nodes;

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
        "gpt-oss" => ["<|endoftext|>", "<|start|>", "<|end|>", "<|message|>", "<|channel|>", "<|constrain|>", "<|return|>", "<|call|>"],
        _ => throw new ArgumentException($"unknown chat family '{family}'"),
    };

    /// <param name="merges">BPE merges as pairs of byte-level token strings, in priority order.</param>
    public static void WriteByteLevel(string dir, string family, IReadOnlyList<(string Left, string Right)>? merges = null)
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
            "gemma3" => ("<bos>", "<eos>", "<pad>"),
            _ => ((string?)null, "<|endoftext|>", "<|endoftext|>"),
        };
        var config = new JsonObject
        {
            ["bos_token"] = bos, ["eos_token"] = eos, ["pad_token"] = pad, ["add_bos_token"] = false, ["add_eos_token"] = false,
            ["model_max_length"] = 4096, ["tokenizer_class"] = "PreTrainedTokenizerFast",
        };
        File.WriteAllText(Path.Combine(dir, "tokenizer.json"), tokenizer.ToJsonString());
        File.WriteAllText(Path.Combine(dir, "tokenizer_config.json"), config.ToJsonString());
    }
}
