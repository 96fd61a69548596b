using Avocado.Text.Tokenizers;

namespace Avocado.Text.Tests.Tokenizers;

public class SmallTokenizersTests
{
    static readonly string[] Corpus =
    [
        "Tom has 12 apples, buys 7, gives away 5. How many now?", "12+7=19. 19-5=14.", "Ann is taller than Bob. Who is shortest?",
        "小明有12个苹果，又买了7个。现在有几个？", "12+7=19。", "Which is larger: 17 or 23? 23>17.",
    ];

    [Theory]
    [InlineData("qwen3", 0)]
    [InlineData("gemma3", 40)]
    [InlineData("gpt-oss", 120)]
    public void Learned_tokenizers_encode_exactly_as_Hugging_Face_tokenizers_does(string family, int merges)
    {
        var dir = Path.Combine(Path.GetTempPath(), "avocado-small-tok", $"{family}-{merges}-{Guid.NewGuid():N}");
        SmallTokenizers.WriteByteLevel(dir, family, SmallTokenizers.LearnMerges(Enumerable.Repeat(Corpus, 5).SelectMany(c => c), merges));
        var ours = TokenizerLoader.Load(dir);
        var texts = Corpus.Append("unseen text: Ünïcödé 😀 <|im_end|> 99-100").ToArray();
        var reference = Reference.Encode("hf:" + Path.Combine(dir, "tokenizer.json"), texts, parseSpecial: true);
        for (int i = 0; i < texts.Length; i++)
        {
            Assert.Equal(reference.Ids[i], ours.Encode(texts[i]).ToArray());
            Assert.Equal(texts[i], ours.Decode(ours.Encode(texts[i])));
        }
    }

    [Fact]
    public void Merges_are_deterministic_shorten_the_corpus_and_differ_with_their_count()
    {
        var corpus = Enumerable.Repeat(Corpus, 5).SelectMany(c => c).ToList();
        var a = SmallTokenizers.LearnMerges(corpus, 60);
        Assert.Equal(a, SmallTokenizers.LearnMerges(corpus, 60));
        var root = Path.Combine(Path.GetTempPath(), "avocado-small-tok", Guid.NewGuid().ToString("N"));
        SmallTokenizers.WriteByteLevel(Path.Combine(root, "bytes"), "qwen3");
        SmallTokenizers.WriteByteLevel(Path.Combine(root, "merged"), "qwen3", a);
        SmallTokenizers.WriteByteLevel(Path.Combine(root, "fewer"), "qwen3", SmallTokenizers.LearnMerges(corpus, 10));
        int Count(string name) => Corpus.Sum(t => TokenizerLoader.Load(Path.Combine(root, name)).Encode(t).Count);
        Assert.True(Count("merged") < Count("fewer") && Count("fewer") < Count("bytes"), $"{Count("bytes")} {Count("fewer")} {Count("merged")}");
    }
}

public class SmallTokenizersDigitTests
{
    [Fact]
    public void Digits_apart_never_merges_a_digit()
    {
        var corpus = Enumerable.Repeat("12+7=19. 19-5=14. 120 apples, 1200 pears", 20);
        Assert.Contains(SmallTokenizers.LearnMerges(corpus, 30), m => (m.Left + m.Right).Any(char.IsAsciiDigit));
        var apart = SmallTokenizers.LearnMerges(corpus, 30, digitsApart: true);
        Assert.NotEmpty(apart);
        Assert.DoesNotContain(apart, m => (m.Left + m.Right).Any(char.IsAsciiDigit));
    }
}
