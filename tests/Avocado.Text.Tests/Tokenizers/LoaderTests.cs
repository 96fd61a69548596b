using System.Text.Json.Nodes;
using Avocado.Text.Tokenizers;

namespace Avocado.Text.Tests.Tokenizers;

public class LoaderTests
{
    [Fact]
    public void Missing_directory_and_files_give_errors_naming_them()
    {
        using var dir = new TempDir();
        var missing = System.IO.Path.Combine(dir.Path, "nope");
        Assert.Contains("nope", Assert.Throws<DirectoryNotFoundException>(() => TokenizerLoader.Load(missing)).Message);
        var e = Assert.Throws<FileNotFoundException>(() => TokenizerLoader.Load(dir.Path));
        Assert.Contains("tokenizer.json", e.Message);
        Assert.Contains(dir.Path, e.Message);
    }

    [Fact]
    public void Invalid_files_give_errors_naming_the_file()
    {
        using var dir = new TempDir();
        string file = System.IO.Path.Combine(dir.Path, "tokenizer.json");
        File.WriteAllText(file, "{ not json");
        Assert.Contains(file, Assert.Throws<InvalidDataException>(() => TokenizerLoader.Load(dir.Path)).Message);
        File.WriteAllText(file, """{"model": {"type": "Unigram", "vocab": []}}""");
        var e = Assert.Throws<InvalidDataException>(() => TokenizerLoader.Load(dir.Path));
        Assert.Contains("Unigram", e.Message);
        Assert.Contains(file, e.Message);
        File.WriteAllText(file, """{"model": {"type": "BPE", "vocab": {"a": 0}, "merges": [["a", "b"]]}}""");
        Assert.Contains("merge", Assert.Throws<InvalidDataException>(() => TokenizerLoader.Load(dir.Path)).Message);
        File.WriteAllText(file, """{"normalizer": {"type": "NFKC"}, "model": {"type": "BPE", "vocab": {"a": 0}, "merges": []}}""");
        Assert.Contains("NFKC", Assert.Throws<InvalidDataException>(() => TokenizerLoader.Load(dir.Path)).Message);
        File.WriteAllText(file, """{"model": {"type": "BPE", "vocab": {"a": 0}, "merges": []}}""");
        string config = System.IO.Path.Combine(dir.Path, "tokenizer_config.json");
        File.WriteAllText(config, "[oops");
        Assert.Contains(config, Assert.Throws<InvalidDataException>(() => TokenizerLoader.Load(dir.Path)).Message);
    }

    [Fact]
    public void A_missing_cache_says_which_command_to_run()
    {
        using var dir = new TempDir();
        var e = Assert.Throws<FileNotFoundException>(() => BuiltInTokenizers.SourceDirectory(BuiltInTokenizers.Qwen3, dir.Path));
        Assert.Contains("scripts/fetch-tokenizers", e.Message);
        Assert.Contains(BuiltInTokenizers.EnvironmentVariable, e.Message);
        Assert.Throws<ArgumentException>(() => BuiltInTokenizers.VocabSize("llama"));
    }

    [Theory]
    [MemberData(nameof(Teachers.All), MemberType = typeof(Teachers))]
    public void WriteTo_makes_a_checkpoint_directory_that_loads(string name)
    {
        using var dir = new TempDir();
        BuiltInTokenizers.WriteTo(name, dir.Path);
        Assert.True(File.Exists(System.IO.Path.Combine(dir.Path, "tokenizer.json")));
        Assert.True(File.Exists(System.IO.Path.Combine(dir.Path, "tokenizer_config.json")));
        var loaded = TokenizerLoader.Load(dir.Path);
        Assert.Equal(name, loaded.Name);
        Assert.Equal(BuiltInTokenizers.VocabSize(name), loaded.VocabSize);
        string sample = Corpus.Entries.First(e => e.Name == "english.txt").Text;
        Assert.Equal(Teachers.Get(name).Encode(sample), loaded.Encode(sample));
    }

    [Fact]
    public void Generation_config_eos_ids_join_the_tokenizer_eos()
    {
        using var dir = new TempDir();
        BuiltInTokenizers.WriteTo(BuiltInTokenizers.Qwen3, dir.Path);
        File.WriteAllText(System.IO.Path.Combine(dir.Path, "generation_config.json"), """{"eos_token_id": [151643, 151662], "pad_token_id": 151643}""");
        Assert.Equal([151645, 151643, 151662], TokenizerLoader.Load(dir.Path).EosIds);
    }

    // Hand-checked facts (docs/TOKENIZERS.md, shared/specs/model-families.md), independent of the references.
    [Fact]
    public void Qwen3_facts()
    {
        var t = Teachers.Get(BuiltInTokenizers.Qwen3);
        Assert.Equal(151669, t.VocabSize);
        Assert.Equal([9707, 1879], t.Encode("Hello world"));
        Assert.Equal(151644, t.TokenToId("<|im_start|>"));
        Assert.Equal([151644], t.Encode("<|im_start|>"));
        Assert.NotEqual([151644], t.Encode("<|im_start|>", parseSpecial: false));
        Assert.Equal([151667], t.Encode("<think>", parseSpecial: false)); // added but not special: still atomic
        Assert.False(t.IsSpecial(151667));
        Assert.True(t.IsSpecial(151645));
        Assert.Null(t.BosId);
        Assert.Equal([151645, 151643], t.EosIds);
        Assert.Equal(151643, t.PadId);
        Assert.Equal("<think>x", t.Decode([151644, 151667, 87], skipSpecial: true));
        Assert.Equal("Ġworld", t.IdToToken(1879));
        Assert.Empty(t.Encode("", addSpecialTokens: true));
        Assert.Equal("ab", t.Decode([64, 151700, 151935, -1, 65])); // ids beyond the tokenizer (padded embedding rows) decode to nothing
    }

    [Fact]
    public void Gemma3_facts()
    {
        var t = Teachers.Get(BuiltInTokenizers.Gemma3);
        Assert.Equal(262145, t.VocabSize);
        Assert.Equal(2, t.BosId);
        Assert.Equal(0, t.PadId);
        Assert.Equal([106, 1], t.EosIds);
        Assert.Equal(105, t.TokenToId("<start_of_turn>"));
        Assert.Equal([2], t.Encode("", addSpecialTokens: true));
        var ids = t.Encode("Hello", addSpecialTokens: true);
        Assert.Equal(2, ids[0]);
        Assert.Equal(t.Encode("Hello"), ids.Skip(1));
        var withOffsets = t.EncodeWithOffsets("Hi", addSpecialTokens: true);
        Assert.Equal((0, 0), withOffsets.ByteOffsets[0]);
        Assert.Equal(" hi there", t.Decode(t.Encode(" hi there")));
        Assert.Equal(["<0x00>"], t.Encode("\u0000").Select(id => t.IdToToken(id))); // not in the vocabulary: byte fallback
    }

    [Fact]
    public void O200k_harmony_facts()
    {
        var t = Teachers.Get(BuiltInTokenizers.O200kHarmony);
        Assert.Equal(201088, t.VocabSize);
        var expected = new Dictionary<string, int>
        {
            ["<|startoftext|>"] = 199998, ["<|endoftext|>"] = 199999, ["<|return|>"] = 200002, ["<|constrain|>"] = 200003,
            ["<|channel|>"] = 200005, ["<|start|>"] = 200006, ["<|end|>"] = 200007, ["<|message|>"] = 200008, ["<|call|>"] = 200012,
            ["<|reserved_200000|>"] = 200000, ["<|reserved_200013|>"] = 200013, ["<|reserved_201087|>"] = 201087, ["<|endofprompt|>"] = 200018,
        };
        foreach (var (token, id) in expected)
        {
            Assert.Equal(id, t.TokenToId(token));
            Assert.Equal(token, t.IdToToken(id));
            Assert.True(t.IsSpecial(id));
            Assert.Equal([id], t.Encode(token));
        }
        Assert.Null(t.TokenToId("<|reserved_201088|>"));
        Assert.Null(t.IdToToken(201088));
        Assert.Equal(199998, t.BosId);
        Assert.Equal([200002, 199999, 200012], t.EosIds);
        Assert.Equal(199999, t.PadId);
        Assert.Equal([200006, 173781, 200005, 17196, 200008, 13225, 200007], t.Encode("<|start|>assistant<|channel|>final<|message|>Hello<|end|>"));
        Assert.Equal(t.Encode("<|start|>assistant"), t.Encode("<|start|>assistant", addSpecialTokens: true)); // no BOS is added
    }

    [Fact]
    public void The_written_o200k_harmony_files_are_standard_hugging_face_json()
    {
        using var dir = new TempDir();
        BuiltInTokenizers.WriteTo(BuiltInTokenizers.O200kHarmony, dir.Path);
        var json = JsonNode.Parse(File.ReadAllText(System.IO.Path.Combine(dir.Path, "tokenizer.json")))!;
        Assert.Equal("BPE", json["model"]!["type"]!.GetValue<string>());
        Assert.Equal(O200kHarmony.RankCount, json["model"]!["vocab"]!.AsObject().Count);
        Assert.Equal(O200kHarmony.VocabSize - O200kHarmony.RankCount, json["added_tokens"]!.AsArray().Count);
        var config = JsonNode.Parse(File.ReadAllText(System.IO.Path.Combine(dir.Path, "tokenizer_config.json")))!;
        Assert.Equal("<|return|>", config["eos_token"]!.GetValue<string>());
    }
}
