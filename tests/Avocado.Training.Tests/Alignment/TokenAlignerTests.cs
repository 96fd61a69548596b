using System.Text;
using Avocado.Training.Alignment;
using Xunit.Abstractions;

namespace Avocado.Training.Tests.Alignment;

/// <summary>Alignment of real tokenizations (Qwen3, Gemma 3 with BOS, o200k_harmony) of texts that break string alignment.</summary>
public class TokenAlignerTests(ITestOutputHelper output)
{
    public static TheoryData<string, string, string> PairsOnTexts => TokenizerSetup.PairsOnTexts();

    [Theory]
    [MemberData(nameof(PairsOnTexts))]
    public void AlignedPairsShareTheirBytePrefix(string teacherKey, string studentKey, string textName)
    {
        string text = AlignmentTexts.All[textName];
        var teacher = TokenizerSetup.Get(teacherKey).Encode(text);
        var student = TokenizerSetup.Get(studentKey).Encode(text);
        ByteSpan[] t = teacher.Spans, s = student.Spans;
        var pairs = TokenAligner.Align(t, s, teacher.TextBytes.Length);

        Assert.NotEmpty(pairs);
        string[] teacherPrefix = teacher.DecodedPrefixes(), studentPrefix = student.DecodedPrefixes();
        int exact = 0, insideCharacter = 0;
        foreach (var p in pairs)
        {
            Assert.Equal(t[p.Teacher].Start, s[p.Student].Start);
            Assert.True(t[p.Teacher].TrueStart && s[p.Student].TrueStart);
            int start = t[p.Teacher].Start;
            // Both models were fed the same bytes before the pair (the BOS aside): their own tokens' bytes, joined.
            byte[] before = teacher.BytesBefore(p.Teacher);
            Assert.Equal(teacher.TextBytes[..start], before);
            Assert.Equal(before, student.BytesBefore(p.Student));
            if (IsCharacterBoundary(teacher.TextBytes, start))
            {
                string expected = Encoding.UTF8.GetString(teacher.TextBytes, 0, start);
                Assert.Equal(expected, teacherPrefix[p.Teacher]);
                Assert.Equal(expected, studentPrefix[p.Student]);
            }
            else insideCharacter++; // both split one character at the same byte: still the same prefix, not decodable text
            if (p.ExactMatch)
            {
                exact++;
                Assert.Equal(teacher.Bytes(p.Teacher), student.Bytes(p.Student));
            }
            else Assert.NotEqual(t[p.Teacher].End, s[p.Student].End);
        }
        Assert.True(exact > 0, "no exact match at all");
        output.WriteLine($"{pairs.Count} pairs, {exact} exact, {insideCharacter} inside a character");
        // The BOS (Gemma) is never aligned: it is not text.
        Assert.DoesNotContain(pairs, p => p.Teacher < teacher.Prefix || p.Student < student.Prefix);
    }

    private static bool IsCharacterBoundary(byte[] utf8, int at) => at == utf8.Length || (utf8[at] & 0xC0) != 0x80;

    /// <summary>
    /// The independent check: true starts from the lengths of the tokens' raw bytes laid end to end (not from the
    /// tokenizer's offsets), intersected as sets; exact where the byte lengths agree too.
    /// </summary>
    [Theory]
    [MemberData(nameof(PairsOnTexts))]
    public void AlignMatchesBruteForceIntersectionOfByteBoundaries(string teacherKey, string studentKey, string textName)
    {
        string text = AlignmentTexts.All[textName];
        var teacher = TokenizerSetup.Get(teacherKey).Encode(text);
        var student = TokenizerSetup.Get(studentKey).Encode(text);
        var teacherStarts = StartsFromBytes(teacher);
        var studentStarts = StartsFromBytes(student);

        var expected = teacherStarts.Keys.Intersect(studentStarts.Keys).Order()
            .Select(b => (teacherStarts[b].Index, studentStarts[b].Index, teacherStarts[b].Length == studentStarts[b].Length))
            .ToList();
        var actual = TokenAligner.Align(teacher.Spans, student.Spans, teacher.TextBytes.Length)
            .Select(p => (p.Teacher, p.Student, p.ExactMatch)).ToList();
        Assert.Equal(expected, actual);
    }

    /// <summary>Byte offset → (token index, byte length) of every text token, from TokenBytes alone.</summary>
    private static Dictionary<int, (int Index, int Length)> StartsFromBytes(Encoded e)
    {
        var joined = new List<byte>();
        var starts = new Dictionary<int, (int, int)>();
        for (int k = e.Prefix; k < e.Ids.Length; k++)
        {
            byte[] b = e.Bytes(k);
            if (b.Length > 0) starts[joined.Count] = (k, b.Length);
            joined.AddRange(b);
        }
        // The precondition of the brute force: the tokens spell the text (true for NFC text without added tokens).
        Assert.Equal(e.TextBytes, joined.ToArray());
        return starts;
    }

    [Fact]
    public void BosOnOneSideOnlyShiftsIndicesByOne()
    {
        var withBos = TokenizerSetup.Get("gemma3+bos").Encode(AlignmentTexts.All["mixed"]);
        var without = TokenizerSetup.Get("gemma3").Encode(AlignmentTexts.All["mixed"]);
        Assert.Equal(1, withBos.Prefix);
        Assert.Equal((0, 0), withBos.Offsets[0]);
        var pairs = TokenAligner.Align(withBos.Spans, without.Spans, withBos.TextBytes.Length);
        Assert.Equal(without.Ids.Length, pairs.Count);
        Assert.All(pairs, p => Assert.Equal((p.Student + 1, true), (p.Teacher, p.ExactMatch)));
    }

    /// <summary>English prose is dense: most student tokens have a teacher token starting at the same byte.</summary>
    [Theory]
    [InlineData("qwen3", "gemma3+bos", 0.9)]
    [InlineData("qwen3", "o200k_harmony", 0.9)]
    [InlineData("gemma3+bos", "o200k_harmony", 0.9)]
    [InlineData("o200k_harmony", "qwen3", 0.9)]
    public void EnglishProseAlignsDensely(string teacherKey, string studentKey, double minimum)
    {
        var teacher = TokenizerSetup.Get(teacherKey).Encode(AlignmentTexts.EnglishProse);
        var student = TokenizerSetup.Get(studentKey).Encode(AlignmentTexts.EnglishProse);
        var pairs = TokenAligner.Align(teacher.Spans, student.Spans, teacher.TextBytes.Length);
        int studentTokens = student.Ids.Length - student.Prefix;
        double density = (double)pairs.Count / studentTokens, exact = (double)pairs.Count(p => p.ExactMatch) / studentTokens;
        output.WriteLine($"{teacherKey} → {studentKey}: {pairs.Count}/{studentTokens} student tokens aligned ({density:P1}), exact {exact:P1}");
        Assert.InRange(density, minimum, 1.0);
        Assert.InRange(exact, minimum - 0.1, density);
    }

    /// <summary>Densities on every text, for the report (asserts only that they are fractions).</summary>
    [Fact]
    public void ReportDensities()
    {
        foreach (var (a, b) in TokenizerSetup.Pairs)
            foreach (var (name, text) in AlignmentTexts.All)
            {
                var teacher = TokenizerSetup.Get(a).Encode(text);
                var student = TokenizerSetup.Get(b).Encode(text);
                var pairs = TokenAligner.Align(teacher.Spans, student.Spans, teacher.TextBytes.Length);
                var chunks = TokenAligner.Chunks(teacher.Spans, student.Spans, teacher.TextBytes.Length);
                int n = student.Ids.Length - student.Prefix;
                output.WriteLine($"{a,-14} {b,-14} {name,-8} pairs {pairs.Count,3}/{n,3} = {(double)pairs.Count / n:P0}, " +
                    $"exact {pairs.Count(p => p.ExactMatch),3}, chunks {chunks.Count,3}");
                Assert.InRange(pairs.Count, 1, n);
            }
    }

    [Theory]
    [MemberData(nameof(PairsOnTexts))]
    public void ChunksTileTheTextAndEachSideSpellsItsChunk(string teacherKey, string studentKey, string textName)
    {
        string text = AlignmentTexts.All[textName];
        var teacher = TokenizerSetup.Get(teacherKey).Encode(text);
        var student = TokenizerSetup.Get(studentKey).Encode(text);
        var pairs = TokenAligner.Align(teacher.Spans, student.Spans, teacher.TextBytes.Length);
        var chunks = TokenAligner.Chunks(teacher.Spans, student.Spans, teacher.TextBytes.Length);

        Assert.Equal(0, chunks[0].ByteStart);
        Assert.Equal(teacher.TextBytes.Length, chunks[^1].ByteEnd);
        Assert.Equal((teacher.Prefix, student.Prefix), (chunks[0].TeacherFrom, chunks[0].StudentFrom)); // BOS in no chunk
        Assert.Equal((teacher.Ids.Length, student.Ids.Length), (chunks[^1].TeacherTo, chunks[^1].StudentTo));
        for (int k = 1; k < chunks.Count; k++)
        {
            Assert.Equal(chunks[k - 1].ByteEnd, chunks[k].ByteStart);
            Assert.Equal((chunks[k - 1].TeacherTo, chunks[k - 1].StudentTo), (chunks[k].TeacherFrom, chunks[k].StudentFrom));
        }
        foreach (var c in chunks)
        {
            byte[] slice = teacher.TextBytes[c.ByteStart..c.ByteEnd];
            Assert.Equal(slice, Join(teacher, c.TeacherFrom, c.TeacherTo));
            Assert.Equal(slice, Join(student, c.StudentFrom, c.StudentTo));
        }
        // Every chunk but possibly the first starts at an aligned pair, and one-token chunks are the exact matches.
        Assert.Equal(pairs.Select(p => p.Teacher), chunks.Select(c => c.TeacherFrom).Skip(chunks.Count - pairs.Count));
        Assert.Equal(pairs.Count(p => p.ExactMatch), chunks.Count(c => c.TeacherTo - c.TeacherFrom == 1 && c.StudentTo - c.StudentFrom == 1));
    }

    private static byte[] Join(Encoded e, int from, int to) => Enumerable.Range(from, to - from).SelectMany(e.Bytes).ToArray();

    [Fact]
    public void HandBuiltSpans()
    {
        // "ab中" = 61 62 E4 B8 AD. Teacher: [a][b][中]; student: [<bos>][ab][中 as 3 byte tokens].
        ByteSpan[] teacher = ByteSpans.FromOffsets([(0, 1), (1, 2), (2, 5)]);
        ByteSpan[] student = ByteSpans.FromOffsets([(0, 0), (0, 2), (2, 3), (3, 4), (4, 5)]);
        Assert.False(student[0].TrueStart);
        Assert.Equal([new AlignedPair(0, 1, false), new AlignedPair(2, 2, false)], TokenAligner.Align(teacher, student, 5));
        Assert.Equal(
            [new AlignedChunk(0, 2, 1, 2, 0, 2), new AlignedChunk(2, 3, 2, 5, 2, 5)],
            TokenAligner.Chunks(teacher, student, 5));
        Assert.Empty(TokenAligner.Chunks([], [], 0));
    }

    [Fact]
    public void ChunksWithoutACommonStartAtByteZero()
    {
        // "👍 ok": the teacher (endpoint convention) began inside 👍 ([F0 9F][91 8D]); the student has a BOS, 👍 whole,
        // " ok", and an EOS.
        var teacher = ByteSpans.FromCharacterSpans([(0, 0), (0, 4), (4, 1), (5, 2)], "👍 ok");
        var student = ByteSpans.FromOffsets([(0, 0), (0, 4), (4, 7), (7, 7)]);
        Assert.Equal([new AlignedPair(2, 2, false)], TokenAligner.Align(teacher, student, 7));
        // The first chunk takes the teacher's empty-span token (part of 👍) but not the student's BOS; no chunk has the EOS.
        Assert.Equal(
            [new AlignedChunk(0, 2, 1, 2, 0, 4), new AlignedChunk(2, 4, 2, 3, 4, 7)],
            TokenAligner.Chunks(teacher, student, 7));
    }

    [Fact]
    public void NormalizerMergedSpansAreNotTrueStarts()
    {
        // Two tokens from one NFC-composed character both report its whole source span.
        var spans = ByteSpans.FromOffsets([(0, 1), (1, 4), (1, 4), (4, 5)]);
        Assert.Equal([true, true, false, true], spans.Select(s => s.TrueStart));
        var exact = ByteSpans.FromOffsets([(0, 1), (1, 4), (4, 5)]);
        // The merged token [1, 4) holds only part of the character: not an exact match for a whole-character token.
        Assert.Equal([new AlignedPair(0, 0, true), new AlignedPair(1, 1, false), new AlignedPair(3, 2, true)], TokenAligner.Align(spans, exact, 5));
    }

    [Fact]
    public void MisuseFailsWithAClearMessage()
    {
        var ok = ByteSpans.FromOffsets([(0, 2), (2, 4)]);
        var unsorted = new[] { new ByteSpan(2, 4, true), new ByteSpan(0, 2, true) };
        var outside = ByteSpans.FromOffsets([(0, 2), (2, 9)]);
        Assert.Contains("sorted", Assert.Throws<ArgumentException>(() => TokenAligner.Align(unsorted, ok, 4)).Message);
        Assert.Contains("outside", Assert.Throws<ArgumentException>(() => TokenAligner.Align(ok, outside, 4)).Message);
        Assert.Contains("student", Assert.Throws<ArgumentException>(() => TokenAligner.Chunks(ok, outside, 4)).Message);
        var twice = new[] { new ByteSpan(0, 2, true), new ByteSpan(0, 4, true) };
        Assert.Contains("second true start", Assert.Throws<ArgumentException>(() => TokenAligner.Align(twice, ok, 4)).Message);
        Assert.Throws<ArgumentException>(() => ByteSpans.FromOffsets([(3, 1)]));
    }

    [Fact]
    public void AlignIsLinear()
    {
        // 2 million tokens a side: a quadratic aligner would not finish.
        const int n = 2_000_000;
        var a = ByteSpans.FromByteLengths(Enumerable.Repeat(2, n).ToArray());
        var b = ByteSpans.FromByteLengths(Enumerable.Repeat(4, n / 2).ToArray());
        var pairs = TokenAligner.Align(a, b, 2 * n);
        Assert.Equal(n / 2, pairs.Count);
        Assert.Equal(new AlignedPair(n - 2, n / 2 - 1, false), pairs[^1]);
    }
}
