using System.Collections.Concurrent;
using System.Text;
using Avocado.Training.Alignment;
using Avocado.Text.Tokenizers;

namespace Avocado.Training.Tests.Alignment;

/// <summary>Texts that break string-based alignment: CJK, emoji (ZWJ sequences, skin tones, flags), mixed scripts and code.</summary>
public static class AlignmentTexts
{
    public static readonly IReadOnlyDictionary<string, string> All = new Dictionary<string, string>
    {
        ["chinese"] = "知识蒸馏把几个教师模型压缩进一个学生模型。每个教师的分词器都不一样：通义千问、Gemma 和 gpt-oss 各有各的词表，" +
            "所以对齐必须按 UTF-8 字节偏移来做，而不是按解码后的字符串。𠀀𠀁 是扩展汉字。",
        ["emoji"] = "Family 👩‍👩‍👧 and 👨‍👩‍👧‍👦, thumbs 👍🏽👍🏿👍, coder 👩🏾‍💻, flags 🇯🇵🇫🇷🇧🇷 🏳️‍🌈 🏴‍☠️, keycaps 1️⃣ #️⃣, " +
            "❤️‍🔥 🐻‍❄️ 🧑‍🤝‍🧑 😶‍🌫️ 😀😃😄 👋🏻👋🏼👋🏽👋🏾👋🏿 👩‍👩‍👧 👍🏽",
        ["korean"] = "안녕하세요. 증류는 여러 교사 모델의 지식을 하나의 학생 모델로 옮깁니다. 토크나이저가 달라도 바이트 오프셋으로 맞춥니다. 똠얌꿍 뷁",
        ["mixed"] = "Distillation (知识蒸馏, дистилляция, تقطير المعرفة) aligns tokens by bytes, not strings.\n" +
            "```python\ndef align(a, b):\n    return [x for x in a if x in b]  # 对齐 ✓\n```\n" +
            "Русский текст: съешь же ещё этих мягких французских булок. العربية: مرحبا بالعالم! 😀 Ελληνικά, हिन्दी.",
        ["english"] = EnglishProse,
    };

    public const string EnglishProse =
        "Knowledge distillation trains a small student model to imitate one or more larger teachers. Instead of learning " +
        "only from the single correct next token, the student learns from the teacher's whole distribution over the " +
        "vocabulary, which carries far more information per example. When the teachers use different tokenizers, their " +
        "positions no longer line up with the student's, so the trainer has to find the places where both models predict " +
        "the next token from exactly the same text. Those places are the byte offsets at which both tokenizations start a " +
        "token. Between them, runs of tokens can still be compared as whole spans of text. It's simple, it's exact, and it " +
        "doesn't depend on how either model spells a word.";

    public static TheoryData<string> Names => [.. All.Keys];
}

/// <summary>A real tokenizer and whether it adds its post-processor tokens (Gemma 3's &lt;bos&gt;).</summary>
public sealed record TokenizerSetup(string Name, bool AddSpecial)
{
    private static readonly ConcurrentDictionary<string, Lazy<ITokenizer>> Loaded = new();

    public ITokenizer Tokenizer => Load(Name);

    public static ITokenizer Load(string name) =>
        Loaded.GetOrAdd(name, n => new Lazy<ITokenizer>(() => BuiltInTokenizers.Load(n))).Value;

    /// <summary>Qwen3 and o200k without BOS, Gemma 3 with it: every pair mixes BOS and no-BOS where Gemma takes part.</summary>
    public static TokenizerSetup Qwen3 => new(BuiltInTokenizers.Qwen3, false);
    public static TokenizerSetup Gemma3Bos => new(BuiltInTokenizers.Gemma3, true);
    public static TokenizerSetup O200k => new(BuiltInTokenizers.O200kHarmony, false);

    public static TokenizerSetup Get(string key) => key switch
    {
        "qwen3" => Qwen3,
        "gemma3+bos" => Gemma3Bos,
        "gemma3" => new(BuiltInTokenizers.Gemma3, false),
        "o200k_harmony" => O200k,
        _ => throw new ArgumentOutOfRangeException(nameof(key), key, null),
    };

    public static readonly (string A, string B)[] Pairs =
        [("qwen3", "gemma3+bos"), ("qwen3", "o200k_harmony"), ("gemma3+bos", "o200k_harmony")];

    /// <summary>Every tokenizer pair, both ways round, on every text.</summary>
    public static TheoryData<string, string, string> PairsOnTexts()
    {
        var data = new TheoryData<string, string, string>();
        foreach (var (a, b) in Pairs)
            foreach (var text in AlignmentTexts.All.Keys)
            {
                data.Add(a, b, text);
                data.Add(b, a, text);
            }
        return data;
    }

    public Encoded Encode(string text)
    {
        var enc = Tokenizer.EncodeWithOffsets(text, parseSpecial: false, addSpecialTokens: AddSpecial);
        return new Encoded(this, text, enc.Ids.ToArray(), enc.ByteOffsets.ToArray());
    }
}

/// <summary>One text encoded by one tokenizer, with the helpers the checks need.</summary>
public sealed record Encoded(TokenizerSetup Setup, string Text, int[] Ids, (int Start, int End)[] Offsets)
{
    public byte[] TextBytes { get; } = Encoding.UTF8.GetBytes(Text);
    public ITokenizer Tokenizer => Setup.Tokenizer;
    public ByteSpan[] Spans => ByteSpans.FromOffsets(Offsets);

    /// <summary>Number of leading post-processor tokens (BOS) that are not text.</summary>
    public int Prefix => Setup.AddSpecial && Tokenizer.BosId is int bos && Ids.Length > 0 && Ids[0] == bos ? 1 : 0;

    public byte[] Bytes(int index) => Tokenizer.TokenBytes(Ids[index]) ?? throw new InvalidOperationException($"id {Ids[index]} has no bytes");

    /// <summary>The raw bytes of the text tokens before each token, joined (TokenBytes; BOS excluded).</summary>
    public byte[] BytesBefore(int index) => Enumerable.Range(Prefix, Math.Max(0, index - Prefix)).SelectMany(Bytes).ToArray();

    /// <summary>The decoded text before each token (skipping special tokens), by streaming decoding: O(n).</summary>
    public string[] DecodedPrefixes()
    {
        var decoder = Tokenizer.CreateDecoder(skipSpecial: true);
        var sb = new StringBuilder();
        var prefixes = new string[Ids.Length + 1];
        for (int k = 0; k < Ids.Length; k++)
        {
            prefixes[k] = sb.ToString();
            sb.Append(decoder.Push(Ids[k]));
        }
        prefixes[Ids.Length] = sb.Append(decoder.Flush()).ToString();
        return prefixes;
    }

    /// <summary>
    /// The endpoint convention (TokenSpans / TokenLogprob): each token's span is the text its bytes completed when the
    /// reply is decoded incrementally, so a token ending inside a character gets an empty span.
    /// </summary>
    public (int Offset, int Length)[] CharacterSpans()
    {
        var decoder = new UTF8Encoding(false, false).GetDecoder();
        var spans = new List<(int, int)>();
        int at = 0;
        for (int k = Prefix; k < Ids.Length; k++)
        {
            byte[] b = Bytes(k);
            var chars = new char[b.Length + 4];
            int n = decoder.GetChars(b, 0, b.Length, chars, 0, flush: false);
            int length = Encoding.UTF8.GetByteCount(chars, 0, n);
            spans.Add((at, length));
            at += length;
        }
        return [.. spans];
    }
}
