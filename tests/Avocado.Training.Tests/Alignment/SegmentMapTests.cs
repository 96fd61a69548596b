using System.Text;
using Avocado.Training.Alignment;
using Avocado.Text.Tokenizers;

namespace Avocado.Training.Tests.Alignment;

/// <summary>One reasoning + answer rendered as Harmony (gpt-oss teacher) and as ChatML with &lt;think&gt; (Qwen3 student).</summary>
public class SegmentMapTests
{
    // Ends in "." so that Qwen3 merges it with the "\n" of its markup (".\n" is one token): that token leaves the segment.
    private const string Reasoning = "We need 17 × 3. 17 × 3 = 51; 检查: 51 ✓ 👍🏽 So it is 51.";
    private const string Answer = "The answer is **51** (五十一).";

    private static readonly string Harmony =
        $"<|start|>assistant<|channel|>analysis<|message|>{Reasoning}<|end|><|start|>assistant<|channel|>final<|message|>{Answer}<|return|>";
    private static readonly string ChatMl = $"<|im_start|>assistant\n<think>\n{Reasoning}\n</think>\n\n{Answer}<|im_end|>\n";

    [Fact]
    public void LocatesSegmentsByUtf8Offsets()
    {
        var segments = SegmentMap.Locate(Harmony, ChatMl, [Reasoning, Answer]);
        byte[] t = Encoding.UTF8.GetBytes(Harmony), s = Encoding.UTF8.GetBytes(ChatMl);
        Assert.Equal(2, segments.Count);
        Assert.Equal(Encoding.UTF8.GetByteCount("<|start|>assistant<|channel|>analysis<|message|>"), segments[0].TeacherStart);
        Assert.Equal(Encoding.UTF8.GetByteCount("<|im_start|>assistant\n<think>\n"), segments[0].StudentStart);
        foreach (var (seg, text) in segments.Zip([Reasoning, Answer]))
        {
            Assert.Equal(Encoding.UTF8.GetBytes(text), t[seg.TeacherStart..seg.TeacherEnd]);
            Assert.Equal(Encoding.UTF8.GetBytes(text), s[seg.StudentStart..seg.StudentEnd]);
        }
        var answer = segments[1];
        int teacherByte = answer.TeacherStart + Encoding.UTF8.GetByteCount("The answer is **");
        Assert.Equal((byte)'5', s[answer.ToStudent(teacherByte)]);
    }

    [Fact]
    public void RepeatedContentIsFoundInOrder()
    {
        var segments = SegmentMap.Locate("<a>42</a><b>42</b>", "42\n\n42", ["42", "42"]);
        Assert.Equal([new SegmentPair(3, 0, 2), new SegmentPair(12, 4, 2)], segments);
    }

    [Fact]
    public void MissingSegmentIsNamed()
    {
        var e = Assert.Throws<InvalidDataException>(() => SegmentMap.Locate(Harmony, ChatMl.Replace("五十一", "fifty-one"), [Reasoning, Answer]));
        Assert.Contains("segment 1", e.Message);
        Assert.Contains("The answer is **51**", e.Message);
        Assert.Contains("student", e.Message);
        // Out of order: the answer cannot be found again after itself.
        var order = Assert.Throws<InvalidDataException>(() => SegmentMap.Locate(Harmony, ChatMl, [Answer, Reasoning]));
        Assert.Contains("teacher", order.Message);
        Assert.Throws<ArgumentException>(() => SegmentMap.Locate(Harmony, ChatMl, [""]));
    }

    [Fact]
    public void AlignsOnlyContentTokensAtTheSameRelativeOffset()
    {
        ITokenizer o200k = TokenizerSetup.Load(BuiltInTokenizers.O200kHarmony), qwen = TokenizerSetup.Load(BuiltInTokenizers.Qwen3);
        var teacher = o200k.EncodeWithOffsets(Harmony);
        var student = qwen.EncodeWithOffsets(ChatMl);
        ByteSpan[] t = ByteSpans.FromOffsets(teacher.ByteOffsets), s = ByteSpans.FromOffsets(student.ByteOffsets);
        var segments = SegmentMap.Locate(Harmony, ChatMl, [Reasoning, Answer]);
        var pairs = SegmentMap.AlignWithin(segments, t, s);

        Assert.True(pairs.Count >= 10, $"only {pairs.Count} pairs");
        Assert.Contains(pairs, p => p.ExactMatch);
        foreach (var p in pairs)
        {
            var seg = segments.Single(g => t[p.Teacher].Start >= g.TeacherStart && t[p.Teacher].Start < g.TeacherEnd);
            Assert.Equal(seg.ToStudent(t[p.Teacher].Start), s[p.Student].Start);
            Assert.True(t[p.Teacher].End <= seg.TeacherEnd && s[p.Student].End <= seg.StudentEnd, "token leaves its segment");
            Assert.False(o200k.IsSpecial(teacher.Ids[p.Teacher]) || qwen.IsSpecial(student.Ids[p.Student]));
            if (p.ExactMatch) Assert.Equal(o200k.TokenBytes(teacher.Ids[p.Teacher]), qwen.TokenBytes(student.Ids[p.Student]));
        }
        // The reasoning's final "." is one token in the teacher but ".\n" in the student: not aligned.
        int dot = segments[0].TeacherEnd - 1;
        Assert.Contains(t, x => x.Start == dot && x.End == dot + 1);
        Assert.Contains(s, x => x.Start == segments[0].ToStudent(dot) && x.End > segments[0].StudentEnd);
        Assert.DoesNotContain(pairs, p => t[p.Teacher].Start == dot);
        // Both segments contribute, and the answer's first token ("The") is aligned exactly.
        Assert.Contains(pairs, p => t[p.Teacher].Start == segments[1].TeacherStart && p.ExactMatch);
        Assert.Contains(pairs, p => t[p.Teacher].Start < segments[0].TeacherEnd);

        // Segments out of order are misuse (Locate returns them in text order).
        Assert.Throws<ArgumentException>(() => SegmentMap.AlignWithin([segments[1], segments[0]], t, s));
    }
}
