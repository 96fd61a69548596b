using System.Text;

namespace Avocado.Training.Alignment;

/// <summary>
/// The same <see cref="ByteLength"/> bytes of content at <see cref="TeacherStart"/> in the teacher's rendering and at
/// <see cref="StudentStart"/> in the student's (UTF-8 byte offsets).
/// </summary>
public readonly record struct SegmentPair(int TeacherStart, int StudentStart, int ByteLength)
{
    public int TeacherEnd => TeacherStart + ByteLength;
    public int StudentEnd => StudentStart + ByteLength;

    /// <summary>The student offset of teacher offset <paramref name="teacherByte"/> (which must lie in the segment).</summary>
    public int ToStudent(int teacherByte) => StudentStart + (teacherByte - TeacherStart);
}

/// <summary>
/// Content shared by two different renderings of one conversation — the reasoning and the answer inside the teacher's
/// chat markup (e.g. Harmony channels) and inside the student's (e.g. ChatML with &lt;think&gt;) — so tokens of the two
/// texts can be aligned where they spell the same content at the same place in it. Markup is never aligned.
/// </summary>
public static class SegmentMap
{
    /// <summary>
    /// Finds each segment (non-empty, ordinal match) in both texts, each search starting where the previous segment ended,
    /// and returns their UTF-8 byte ranges in order.
    /// </summary>
    /// <exception cref="InvalidDataException">A segment is missing from either text (the message names it and the text).</exception>
    public static IReadOnlyList<SegmentPair> Locate(string teacherText, string studentText, IReadOnlyList<string> segments)
    {
        ArgumentNullException.ThrowIfNull(teacherText);
        ArgumentNullException.ThrowIfNull(studentText);
        ArgumentNullException.ThrowIfNull(segments);
        var teacher = new Cursor(teacherText, "teacher");
        var student = new Cursor(studentText, "student");
        var pairs = new List<SegmentPair>(segments.Count);
        for (int k = 0; k < segments.Count; k++)
        {
            string segment = segments[k];
            if (string.IsNullOrEmpty(segment)) throw new ArgumentException($"segment {k} is empty; pass only the non-empty parts.", nameof(segments));
            int length = Encoding.UTF8.GetByteCount(segment);
            pairs.Add(new SegmentPair(teacher.Find(segment, k, length), student.Find(segment, k, length), length));
        }
        return pairs;
    }

    /// <summary>
    /// Like <see cref="TokenAligner.Align"/>, restricted to tokens wholly inside a segment: a teacher and a student token
    /// pair when both are non-empty true starts at the same offset relative to the same segment and end inside it.
    /// <see cref="AlignedPair.ExactMatch"/> when they also end at the same relative offset, at a known boundary.
    /// </summary>
    /// <exception cref="ArgumentException">Spans not sorted by start, or segments out of order or overlapping.</exception>
    public static IReadOnlyList<AlignedPair> AlignWithin(IReadOnlyList<SegmentPair> segments, IReadOnlyList<ByteSpan> teacher, IReadOnlyList<ByteSpan> student)
    {
        ArgumentNullException.ThrowIfNull(segments);
        TokenAligner.Validate(teacher, int.MaxValue, nameof(teacher));
        TokenAligner.Validate(student, int.MaxValue, nameof(student));
        var pairs = new List<AlignedPair>();
        int i = 0, j = 0, teacherEnd = 0, studentEnd = 0;
        for (int k = 0; k < segments.Count; k++)
        {
            var seg = segments[k];
            if (seg.ByteLength <= 0 || seg.TeacherStart < teacherEnd || seg.StudentStart < studentEnd)
                throw new ArgumentException($"segment {k} ({seg}) is empty, or starts before segment {k - 1} ends; use SegmentMap.Locate.", nameof(segments));
            (teacherEnd, studentEnd) = (seg.TeacherEnd, seg.StudentEnd);

            // Tokens starting inside the segment: [i, iEnd) and [j, jEnd). Every list is walked once over all segments.
            while (i < teacher.Count && teacher[i].Start < seg.TeacherStart) i++;
            while (j < student.Count && student[j].Start < seg.StudentStart) j++;
            int iEnd = i, jEnd = j;
            while (iEnd < teacher.Count && teacher[iEnd].Start < seg.TeacherEnd) iEnd++;
            while (jEnd < student.Count && student[jEnd].Start < seg.StudentEnd) jEnd++;

            i = Next(teacher, i, iEnd, seg.TeacherEnd);
            j = Next(student, j, jEnd, seg.StudentEnd);
            while (i < iEnd && j < jEnd)
            {
                int t = teacher[i].Start - seg.TeacherStart, s = student[j].Start - seg.StudentStart;
                if (t < s) i = Next(teacher, i + 1, iEnd, seg.TeacherEnd);
                else if (t > s) j = Next(student, j + 1, jEnd, seg.StudentEnd);
                else
                {
                    bool exact = teacher[i].End - seg.TeacherStart == student[j].End - seg.StudentStart &&
                        TokenAligner.EndsAtBoundary(teacher, i, int.MaxValue) && TokenAligner.EndsAtBoundary(student, j, int.MaxValue);
                    pairs.Add(new AlignedPair(i, j, exact));
                    i = Next(teacher, i + 1, iEnd, seg.TeacherEnd);
                    j = Next(student, j + 1, jEnd, seg.StudentEnd);
                }
            }
            (i, j) = (iEnd, jEnd);
        }
        return pairs;
    }

    /// <summary>The next token in [from, end) that is a non-empty true start ending inside the segment.</summary>
    private static int Next(IReadOnlyList<ByteSpan> spans, int from, int end, int segmentEnd)
    {
        while (from < end && !(spans[from].TrueStart && spans[from].End > spans[from].Start && spans[from].End <= segmentEnd)) from++;
        return from;
    }

    /// <summary>Walks one text forward, keeping the UTF-16 index and the UTF-8 offset in step.</summary>
    private sealed class Cursor(string text, string which)
    {
        private int _char, _byte;

        public int Find(string segment, int index, int byteLength)
        {
            int at = text.IndexOf(segment, _char, StringComparison.Ordinal);
            if (at < 0)
                throw new InvalidDataException($"segment {index} \"{Excerpt(segment)}\" is not in the {which}'s text " +
                    $"(searched from byte {_byte}, after the previous segment): the two renderings must hold the same content, in the same order.");
            int start = _byte + Encoding.UTF8.GetByteCount(text.AsSpan(_char, at - _char));
            (_char, _byte) = (at + segment.Length, start + byteLength);
            return start;
        }

        private static string Excerpt(string s) =>
            (s.Length <= 60 ? s : s[..40] + "…" + s[^15..]).Replace("\n", "\\n", StringComparison.Ordinal);
    }
}
