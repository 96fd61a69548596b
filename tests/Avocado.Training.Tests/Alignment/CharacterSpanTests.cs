using System.Text;
using Avocado.Training.Alignment;
using Xunit.Abstractions;

namespace Avocado.Training.Tests.Alignment;

/// <summary>
/// Teacher spans in the endpoint convention (character-granular, as TokenSpans records them), built here by incremental
/// UTF-8 decoding of a byte-level tokenizer's real token bytes, aligned against a student's exact offsets.
/// </summary>
public class CharacterSpanTests(ITestOutputHelper output)
{
    public static TheoryData<string, string> ByteLevelTeachersOnHardTexts()
    {
        var data = new TheoryData<string, string>();
        foreach (var teacher in new[] { "qwen3", "o200k_harmony" })
            foreach (var text in new[] { "chinese", "emoji", "korean", "mixed" })
                data.Add(teacher, text);
        return data;
    }

    [Theory]
    [MemberData(nameof(ByteLevelTeachersOnHardTexts))]
    public void OnlyCertainBoundariesAreTrueStarts(string teacherKey, string textName)
    {
        var teacher = TokenizerSetup.Get(teacherKey).Encode(AlignmentTexts.All[textName]);
        var charSpans = teacher.CharacterSpans();
        var spans = ByteSpans.FromCharacterSpans(charSpans, teacher.Text);
        if (textName == "emoji") Assert.Contains(charSpans, s => s.Length == 0); // the text really splits characters
        for (int k = 0; k < spans.Length; k++)
        {
            if (charSpans[k].Length == 0 || (k > 0 && charSpans[k - 1].Length == 0)) Assert.False(spans[k].TrueStart, $"token {k}");
            // A true start is where the token's bytes really begin (the tokenizer's exact offset).
            if (spans[k].TrueStart) Assert.Equal(teacher.Offsets[k].Start, spans[k].Start);
        }
    }

    [Theory]
    [MemberData(nameof(ByteLevelTeachersOnHardTexts))]
    public void AlignedPairsFromCharacterSpansHaveTheSamePrefix(string teacherKey, string textName)
    {
        string text = AlignmentTexts.All[textName];
        var teacher = TokenizerSetup.Get(teacherKey).Encode(text);
        var student = TokenizerSetup.Gemma3Bos.Encode(text);
        var spans = ByteSpans.FromCharacterSpans(teacher.CharacterSpans(), text);
        var pairs = TokenAligner.Align(spans, student.Spans, teacher.TextBytes.Length);
        Assert.NotEmpty(pairs);

        string[] teacherPrefix = teacher.DecodedPrefixes(), studentPrefix = student.DecodedPrefixes();
        foreach (var p in pairs)
        {
            // The teacher's real (exact) start, not its character span's, must be the student's.
            Assert.Equal(teacher.Offsets[p.Teacher].Start, student.Offsets[p.Student].Start);
            Assert.Equal(student.BytesBefore(p.Student), teacher.BytesBefore(p.Teacher));
            Assert.Equal(studentPrefix[p.Student], teacherPrefix[p.Teacher]);
            if (p.ExactMatch) Assert.Equal(teacher.Bytes(p.Teacher), student.Bytes(p.Student));
        }

        // Chunks stay sound: the teacher's raw token bytes in each chunk spell exactly the chunk's text.
        foreach (var c in TokenAligner.Chunks(spans, student.Spans, teacher.TextBytes.Length))
            Assert.Equal(teacher.TextBytes[c.ByteStart..c.ByteEnd],
                Enumerable.Range(c.TeacherFrom, c.TeacherTo - c.TeacherFrom).SelectMany(teacher.Bytes).ToArray());

        // Lengths of the raw bytes give the exact spans back, and with them at least as many pairs.
        var exact = ByteSpans.FromByteLengths(Enumerable.Range(0, teacher.Ids.Length).Select(k => teacher.Bytes(k).Length).ToArray());
        Assert.Equal(teacher.Spans, exact);
        var exactPairs = TokenAligner.Align(exact, student.Spans, teacher.TextBytes.Length);
        Assert.Subset(exactPairs.Select(p => (p.Teacher, p.Student)).ToHashSet(), pairs.Select(p => (p.Teacher, p.Student)).ToHashSet());
        output.WriteLine($"{teacherKey} → gemma3 on {textName}: {pairs.Count} pairs from character spans, {exactPairs.Count} from byte lengths " +
            $"(of {student.Ids.Length - 1} student tokens)");
    }

    /// <summary>
    /// Why the ASCII rule: "not after an empty span" alone is not enough. A token can complete one character and end
    /// inside the next (real Qwen3/o200k tokens do on emoji), so the token after it has a non-empty predecessor and still
    /// does not start where its span says.
    /// </summary>
    [Theory]
    [InlineData("qwen3")]
    [InlineData("o200k_harmony")]
    public void NotFollowingAnEmptySpanIsNotEnough(string teacherKey)
    {
        var teacher = TokenizerSetup.Get(teacherKey).Encode(AlignmentTexts.All["emoji"]);
        var charSpans = teacher.CharacterSpans();
        int misplaced = Enumerable.Range(1, charSpans.Length - 1).Count(k =>
            charSpans[k].Length > 0 && charSpans[k - 1].Length > 0 && charSpans[k].Offset != teacher.Offsets[k].Start);
        output.WriteLine($"{teacherKey}: {misplaced} tokens after a non-empty span do not start where their span does");
        Assert.True(misplaced > 0);
    }

    [Fact]
    public void EnglishKeepsItsDensityUnderTheEndpointConvention()
    {
        var teacher = TokenizerSetup.Qwen3.Encode(AlignmentTexts.EnglishProse);
        var student = TokenizerSetup.Gemma3Bos.Encode(AlignmentTexts.EnglishProse);
        var fromChars = TokenAligner.Align(ByteSpans.FromCharacterSpans(teacher.CharacterSpans(), teacher.Text), student.Spans, teacher.TextBytes.Length);
        var fromOffsets = TokenAligner.Align(teacher.Spans, student.Spans, teacher.TextBytes.Length);
        Assert.Equal(fromOffsets, fromChars); // ASCII: every span is exact
    }

    [Fact]
    public void HandBuiltEndpointSpans()
    {
        // "a中b" = 61 | E4 B8 AD | 62, generated as [a][E4][B8 AD][b] → spans (0,1) (1,0) (1,3) (4,1).
        var spans = ByteSpans.FromCharacterSpans([(0, 1), (1, 0), (1, 3), (4, 1)], "a中b");
        Assert.Equal([true, false, false, true], spans.Select(s => s.TrueStart));
        // "中文" generated as [E4 B8 AD E6][96 87]: the first token's span is 中 and its bytes end inside 文. The second
        // span (3,3) is not a true start although its predecessor's span is not empty.
        Assert.Equal([true, false], ByteSpans.FromCharacterSpans([(0, 3), (3, 3)], "中文").Select(s => s.TrueStart));
        // After an invalid sequence (decoded as U+FFFD) text offsets stop matching the teacher's bytes.
        Assert.Equal([true, false, false], ByteSpans.FromCharacterSpans([(0, 1), (1, 3), (4, 1)], "a\uFFFDb").Select(s => s.TrueStart));
        Assert.Contains("outside", Assert.Throws<ArgumentException>(() => ByteSpans.FromCharacterSpans([(0, 9)], "ab")).Message);
        Assert.Equal(5, Encoding.UTF8.GetByteCount("a中b"));
    }
}
