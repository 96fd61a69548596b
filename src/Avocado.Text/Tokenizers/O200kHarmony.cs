using Avocado.Common.Files;
using System.IO.Compression;
using System.Reflection;
using System.Text;
using System.Text.Json;

namespace Avocado.Text.Tokenizers;

/// <summary>
/// gpt-oss's o200k_harmony as a standard Hugging Face tokenizer.json: the o200k_base ranks (from the NuGet package
/// Microsoft.ML.Tokenizers.Data.O200kBase) as a byte-level BPE vocabulary (id = rank), merges derived from the
/// ranks (every split of a token into two tokens, ordered by the merged token's rank, then by the ranks of the
/// halves, as transformers' tiktoken converter does), <c>ignore_merges</c> (a piece that is itself a token stays
/// whole, as in tiktoken), o200k's split regex, and the Harmony special tokens 199998–201087.
/// </summary>
public static class O200kHarmony
{
    public const int VocabSize = 201088;
    public const int RankCount = 199998;

    /// <summary>The named Harmony special tokens; every other id in 200000–201087 is <c>&lt;|reserved_ID|&gt;</c>.</summary>
    public static readonly IReadOnlyDictionary<int, string> NamedSpecialTokens = new Dictionary<int, string>
    {
        [199998] = "<|startoftext|>",
        [199999] = "<|endoftext|>",
        [200002] = "<|return|>",
        [200003] = "<|constrain|>",
        [200005] = "<|channel|>",
        [200006] = "<|start|>",
        [200007] = "<|end|>",
        [200008] = "<|message|>",
        [200012] = "<|call|>",
        [200018] = "<|endofprompt|>", // o200k_base's own; tiktoken also accepts <|reserved_200018|> for this id
    };

    public static string SpecialTokenContent(int id) =>
        NamedSpecialTokens.TryGetValue(id, out var s) ? s : $"<|reserved_{id}|>";

    /// <summary>The o200k_base ranks: token bytes in rank order.</summary>
    public static byte[][] LoadRanks()
    {
        const string assemblyName = "Microsoft.ML.Tokenizers.Data.O200kBase";
        const string resource = "o200k_base.tiktoken.deflate";
        Assembly assembly;
        try { assembly = Assembly.Load(new AssemblyName(assemblyName)); }
        catch (Exception e) { throw new FileNotFoundException($"the o200k_base ranks come from the NuGet package {assemblyName}, which could not be loaded", e); }
        using var stream = assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidDataException($"{assemblyName} has no resource {resource}");
        using var deflate = new DeflateStream(stream, CompressionMode.Decompress);
        using var reader = new StreamReader(deflate, Encoding.ASCII);
        var ranks = new byte[RankCount][];
        int count = 0;
        // "base64 rank" lines as in a .tiktoken file, or (this package's form) a "Capacity: N" header and then one
        // base64 token per line in rank order.
        while (reader.ReadLine() is { } line)
        {
            if (line.Length == 0 || line.StartsWith("Capacity:", StringComparison.Ordinal)) continue;
            int space = line.IndexOf(' ');
            int rank = space < 0 ? count : int.Parse(line.AsSpan(space + 1));
            if ((uint)rank >= RankCount) throw new InvalidDataException($"{assemblyName}: rank {rank} out of range");
            ranks[rank] = Convert.FromBase64String(space < 0 ? line : line[..space]);
            count++;
        }
        if (count != RankCount || ranks.Any(r => r is null))
            throw new InvalidDataException($"{assemblyName}: expected {RankCount} ranks 0..{RankCount - 1}, found {count}");
        return ranks;
    }

    /// <summary>Writes tokenizer.json and tokenizer_config.json for o200k_harmony into <paramref name="directory"/>.</summary>
    public static void Write(string directory)
    {
        Directory.CreateDirectory(directory);
        var ranks = LoadRanks();
        var strings = ranks.Select(b => ByteLevelAlphabet.Encode(b)).ToArray();
        var byBytes = new Dictionary<string, int>(ranks.Length, StringComparer.Ordinal);
        for (int r = 0; r < strings.Length; r++) byBytes[strings[r]] = r;

        // Staged and renamed into place, so concurrent writers (test hosts, the benchmark) never see or leave a half-written file.
        AtomicFile.Write(Path.Combine(directory, "tokenizer.json"), file =>
        {
            using var w = new Utf8JsonWriter(file, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
            w.WriteStartObject();
            w.WriteString("version", "1.0");
            w.WriteNull("truncation");
            w.WriteNull("padding");
            w.WriteStartArray("added_tokens");
            for (int id = RankCount; id < VocabSize; id++)
            {
                w.WriteStartObject();
                w.WriteNumber("id", id);
                w.WriteString("content", SpecialTokenContent(id));
                w.WriteBoolean("single_word", false);
                w.WriteBoolean("lstrip", false);
                w.WriteBoolean("rstrip", false);
                w.WriteBoolean("normalized", false);
                w.WriteBoolean("special", true);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteNull("normalizer");
            w.WriteStartObject("pre_tokenizer");
            w.WriteString("type", "Sequence");
            w.WriteStartArray("pretokenizers");
            w.WriteStartObject();
            w.WriteString("type", "Split");
            w.WriteStartObject("pattern");
            w.WriteString("Regex", SplitPattern.O200k);
            w.WriteEndObject();
            w.WriteString("behavior", "Isolated");
            w.WriteBoolean("invert", false);
            w.WriteEndObject();
            WriteByteLevel(w, null);
            w.WriteEndArray();
            w.WriteEndObject();
            WriteByteLevel(w, "post_processor");
            WriteByteLevel(w, "decoder");
            w.WriteStartObject("model");
            w.WriteString("type", "BPE");
            w.WriteNull("dropout");
            w.WriteNull("unk_token");
            w.WriteNull("continuing_subword_prefix");
            w.WriteNull("end_of_word_suffix");
            w.WriteBoolean("fuse_unk", false);
            w.WriteBoolean("byte_fallback", false);
            w.WriteBoolean("ignore_merges", true);
            w.WriteStartObject("vocab");
            for (int r = 0; r < strings.Length; r++) w.WriteNumber(strings[r], r);
            w.WriteEndObject();
            w.WriteStartArray("merges");
            var local = new List<(int L, int R)>();
            for (int r = 0; r < strings.Length; r++)
            {
                string s = strings[r];
                if (s.Length < 2) continue;
                local.Clear();
                for (int i = 1; i < s.Length; i++)
                    if (byBytes.TryGetValue(s[..i], out int left) && byBytes.TryGetValue(s[i..], out int right))
                        local.Add((left, right));
                local.Sort();
                foreach (var (left, right) in local)
                {
                    w.WriteStartArray();
                    w.WriteStringValue(strings[left]);
                    w.WriteStringValue(strings[right]);
                    w.WriteEndArray();
                }
            }
            w.WriteEndArray();
            w.WriteEndObject();
            w.WriteEndObject();
        });

        var config = new Dictionary<string, object?>
        {
            ["tokenizer_class"] = "PreTrainedTokenizerFast",
            ["bos_token"] = "<|startoftext|>",
            ["eos_token"] = "<|return|>",
            ["pad_token"] = "<|endoftext|>",
            ["model_max_length"] = 131072,
            ["clean_up_tokenization_spaces"] = false,
            ["model_input_names"] = new[] { "input_ids", "attention_mask" },
        };
        AtomicFile.WriteAllText(Path.Combine(directory, "tokenizer_config.json"), JsonSerializer.Serialize(config, new JsonSerializerOptions { WriteIndented = true }) + "\n");
    }

    private static void WriteByteLevel(Utf8JsonWriter w, string? property)
    {
        if (property is null) w.WriteStartObject(); else w.WriteStartObject(property);
        w.WriteString("type", "ByteLevel");
        w.WriteBoolean("add_prefix_space", false);
        w.WriteBoolean("trim_offsets", false);
        w.WriteBoolean("use_regex", false);
        w.WriteEndObject();
    }
}
