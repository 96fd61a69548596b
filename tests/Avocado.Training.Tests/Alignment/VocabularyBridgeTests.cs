using System.Text;
using Avocado.Training.Alignment;
using Avocado.Text.Tokenizers;
using Xunit.Abstractions;

namespace Avocado.Training.Tests.Alignment;

public class VocabularyBridgeTests(ITestOutputHelper output)
{
    private static ITokenizer Qwen3 => TokenizerSetup.Load(BuiltInTokenizers.Qwen3);
    private static ITokenizer Gemma3 => TokenizerSetup.Load(BuiltInTokenizers.Gemma3);
    private static ITokenizer O200k => TokenizerSetup.Load(BuiltInTokenizers.O200kHarmony);

    [Theory]
    [InlineData(BuiltInTokenizers.Qwen3, BuiltInTokenizers.O200kHarmony)]
    [InlineData(BuiltInTokenizers.Gemma3, BuiltInTokenizers.Qwen3)]
    public void MappedTokensHaveIdenticalBytes(string teacherName, string studentName)
    {
        ITokenizer teacher = TokenizerSetup.Load(teacherName), student = TokenizerSetup.Load(studentName);
        var map = new VocabularyBridge(student).MapVocabulary(teacher);
        output.WriteLine($"{teacherName} → {studentName}: {map.Mapped}/{map.Eligible} non-special tokens mapped ({map.Coverage:P1})");

        Assert.Equal(teacher.VocabSize, map.StudentIds.Length);
        Assert.InRange(map.Coverage, 0.05, 0.95);
        for (int id = 0; id < map.StudentIds.Length; id++)
        {
            int s = map[id];
            if (s < 0) continue;
            Assert.False(teacher.IsSpecial(id) || student.IsSpecial(s), $"special token {id} → {s}");
            Assert.Equal(teacher.TokenBytes(id), student.TokenBytes(s));
        }
        Assert.Equal(map.Mapped, map.StudentIds.Count(s => s >= 0));
        Assert.Equal(-1, map[teacher.VocabSize + 100]); // padded embedding rows have no token
    }

    [Fact]
    public void SameTokenizerMapsToItselfOverNonSpecialTokens()
    {
        var map = new VocabularyBridge(Qwen3).MapVocabulary(Qwen3);
        Assert.Equal(1.0, map.Coverage);
        for (int id = 0; id < Qwen3.VocabSize; id++)
            Assert.Equal(Qwen3.IsSpecial(id) || Qwen3.TokenBytes(id) is null ? -1 : id, map[id]);
    }

    [Fact]
    public void LooksUpByBytesAcrossSpellings()
    {
        var qwen = new VocabularyBridge(Qwen3);
        // Gemma's '▁' and Qwen's byte-level 'Ġ' are both a space.
        int gemmaHello = Gemma3.TokenToId("▁hello") ?? throw new InvalidOperationException("no ▁hello in gemma3");
        Assert.Equal(Qwen3.TokenToId("Ġhello"), qwen.StudentId(Gemma3.TokenBytes(gemmaHello)));
        Assert.Equal(Qwen3.TokenToId("Ġworld"), qwen.StudentId(" world"));
        // A SentencePiece byte-fallback token is the same byte as a byte-level token.
        int gemmaE4 = Gemma3.TokenToId("<0xE4>") ?? throw new InvalidOperationException("no <0xE4> in gemma3");
        Assert.Equal(Qwen3.TokenToId("ä"), qwen.StudentId(Gemma3.TokenBytes(gemmaE4)));
        // Non-special added tokens are text; special ones are not.
        Assert.Equal(Qwen3.TokenToId("<think>"), qwen.StudentId("<think>"));
        Assert.Null(qwen.StudentId("<|im_end|>"));
        Assert.Null(qwen.StudentId(""));
        Assert.Null(qwen.StudentId(new string('x', 1000)));
        Assert.Equal(Encoding.UTF8.GetBytes("<|im_end|>"), Qwen3.TokenBytes(Qwen3.TokenToId("<|im_end|>")!.Value));
        Assert.Null(Qwen3.TokenBytes(Qwen3.VocabSize));
    }

    [Theory]
    [InlineData(BuiltInTokenizers.Qwen3)]
    [InlineData(BuiltInTokenizers.Gemma3)]
    [InlineData(BuiltInTokenizers.O200kHarmony)]
    public void TokenBytesOfSpecialTokensAreTheirContent(string name)
    {
        ITokenizer tokenizer = TokenizerSetup.Load(name);
        int specials = 0;
        for (int id = 0; id < tokenizer.VocabSize; id++)
            if (tokenizer.IsSpecial(id))
            {
                specials++;
                Assert.Equal(Encoding.UTF8.GetBytes(tokenizer.IdToToken(id)!), tokenizer.TokenBytes(id));
            }
        Assert.True(specials > 0);
        Assert.Null(tokenizer.TokenBytes(-1));
        Assert.Null(tokenizer.TokenBytes(tokenizer.VocabSize));
    }

    [Fact]
    public void SharedBytesGoToTheTokenTheStudentActuallyUses()
    {
        // Gemma 3 has "\t" and the byte-fallback <0x09> (a lower id) for the same byte; its encoder emits only "\t".
        var gemma = new VocabularyBridge(Gemma3);
        int tab = Gemma3.Encode("\t", parseSpecial: false).Single();
        int fallback = Gemma3.TokenToId("<0x09>")!.Value;
        Assert.True(fallback < tab);
        Assert.Equal(tab, gemma.StudentId("\t"));
        // A lone byte that is not UTF-8 has only its fallback token.
        Assert.Equal(Gemma3.TokenToId("<0xE4>"), gemma.StudentId([0xE4]));
        Assert.Equal(Gemma3.Encode(" hello", parseSpecial: false).Single(), gemma.StudentId(" hello"));
    }

    [Fact]
    public void TeacherSpecialTokensAreNotMapped()
    {
        var map = new VocabularyBridge(O200k).MapVocabulary(Qwen3);
        Assert.Equal(-1, map[Qwen3.TokenToId("<|endoftext|>")!.Value]); // o200k has one too, but it is special there
        Assert.Equal(-1, map[Qwen3.TokenToId("<|im_start|>")!.Value]);
    }
}
