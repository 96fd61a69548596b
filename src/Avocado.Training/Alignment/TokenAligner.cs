namespace Avocado.Training.Alignment;

/// <summary>
/// Teacher token <see cref="Teacher"/> and student token <see cref="Student"/> start at the same byte of the same text,
/// both at a true boundary, so the distributions that predict them (the positions just before, or the prompt's last
/// position for token 0) are conditioned on the same byte prefix. <see cref="ExactMatch"/>: the two tokens are the same
/// bytes, so the teacher's probability of its token is directly the probability of the student's.
/// </summary>
public readonly record struct AlignedPair(int Teacher, int Student, bool ExactMatch);

/// <summary>
/// Teacher tokens [<see cref="TeacherFrom"/>, <see cref="TeacherTo"/>) and student tokens [<see cref="StudentFrom"/>,
/// <see cref="StudentTo"/>) both spell bytes [<see cref="ByteStart"/>, <see cref="ByteEnd"/>), which begins and ends at
/// a boundary both tokenizations share and holds no shared boundary inside (GOLD/X-Token span merging: compare the
/// sequence probabilities of the two runs). A chunk of one token on each side is an exact match.
/// </summary>
public readonly record struct AlignedChunk(int TeacherFrom, int TeacherTo, int StudentFrom, int StudentTo, int ByteStart, int ByteEnd);

/// <summary>Aligns two tokenizations of one text by UTF-8 byte offsets, in one linear pass (two pointers).</summary>
public static class TokenAligner
{
    /// <summary>
    /// Pairs of teacher and student tokens with the same <see cref="ByteSpan.Start"/>, both true starts and non-empty; at most
    /// one pair per byte offset, in text order. <see cref="AlignedPair.ExactMatch"/> when both also have the same end and
    /// are known to end there (the next token truly starts at that end, or it is the text's end): a span from the
    /// endpoint convention may end before a partial character its token also holds.
    /// </summary>
    /// <exception cref="ArgumentException">A list is not sorted by start, two of its true starts coincide, or a span lies outside
    /// [0, <paramref name="textByteLength"/>].</exception>
    public static IReadOnlyList<AlignedPair> Align(IReadOnlyList<ByteSpan> teacher, IReadOnlyList<ByteSpan> student, int textByteLength)
    {
        Validate(teacher, textByteLength, nameof(teacher));
        Validate(student, textByteLength, nameof(student));
        var pairs = new List<AlignedPair>();
        int i = NextStart(teacher, 0), j = NextStart(student, 0);
        while (i < teacher.Count && j < student.Count)
        {
            int t = teacher[i].Start, s = student[j].Start;
            if (t < s) i = NextStart(teacher, i + 1);
            else if (t > s) j = NextStart(student, j + 1);
            else
            {
                bool exact = teacher[i].End == student[j].End &&
                    EndsAtBoundary(teacher, i, textByteLength) && EndsAtBoundary(student, j, textByteLength);
                pairs.Add(new AlignedPair(i, j, exact));
                i = NextStart(teacher, i + 1);
                j = NextStart(student, j + 1);
            }
        }
        return pairs;
    }

    /// <summary>
    /// The text cut at every boundary both tokenizations share (the starts of <see cref="Align"/>'s pairs), plus the text's
    /// start and end. Empty tokens before the first text token (BOS) and after the last (EOS) belong to no chunk; an
    /// empty-span token inside a character belongs to the chunk of that character. Chunks are in order, never empty, and
    /// together cover [0, <paramref name="textByteLength"/>).
    /// </summary>
    public static IReadOnlyList<AlignedChunk> Chunks(IReadOnlyList<ByteSpan> teacher, IReadOnlyList<ByteSpan> student, int textByteLength)
    {
        var pairs = Align(teacher, student, textByteLength);
        var cuts = new List<(int Teacher, int Student, int Byte)>(pairs.Count + 2);
        if (pairs.Count == 0 || teacher[pairs[0].Teacher].Start != 0)
            cuts.Add((FirstTextToken(teacher), FirstTextToken(student), 0));
        foreach (var p in pairs) cuts.Add((p.Teacher, p.Student, teacher[p.Teacher].Start));
        cuts.Add((AfterLastTextToken(teacher), AfterLastTextToken(student), textByteLength));

        var chunks = new List<AlignedChunk>(cuts.Count - 1);
        for (int k = 0; k + 1 < cuts.Count; k++)
        {
            var (a, b) = (cuts[k], cuts[k + 1]);
            if (b.Byte > a.Byte) chunks.Add(new AlignedChunk(a.Teacher, b.Teacher, a.Student, b.Student, a.Byte, b.Byte));
        }
        return chunks;
    }

    /// <summary>The first index at or after <paramref name="from"/> that may be aligned: a non-empty true start.</summary>
    private static int NextStart(IReadOnlyList<ByteSpan> spans, int from)
    {
        while (from < spans.Count && !(spans[from].TrueStart && spans[from].End > spans[from].Start)) from++;
        return from;
    }

    internal static bool EndsAtBoundary(IReadOnlyList<ByteSpan> spans, int k, int textByteLength) =>
        spans[k].End == textByteLength || (k + 1 < spans.Count && spans[k + 1].TrueStart && spans[k + 1].Start == spans[k].End);

    /// <summary>The true-start token at byte 0 (skipping a BOS before it), else token 0 (a first token inside a character).</summary>
    private static int FirstTextToken(IReadOnlyList<ByteSpan> spans)
    {
        int k = NextStart(spans, 0);
        return k < spans.Count && spans[k].Start == 0 ? k : 0;
    }

    private static int AfterLastTextToken(IReadOnlyList<ByteSpan> spans)
    {
        int k = spans.Count;
        while (k > 0 && spans[k - 1].End == spans[k - 1].Start) k--;
        return k;
    }

    internal static void Validate(IReadOnlyList<ByteSpan> spans, int textByteLength, string name)
    {
        ArgumentNullException.ThrowIfNull(spans, name);
        if (textByteLength < 0) throw new ArgumentOutOfRangeException(nameof(textByteLength), textByteLength, "must be ≥ 0.");
        int previousStart = 0, previousTrue = -1;
        for (int k = 0; k < spans.Count; k++)
        {
            var s = spans[k];
            if (s.Start < 0 || s.End < s.Start || s.End > textByteLength)
                throw new ArgumentException($"{name} token {k}: span [{s.Start}, {s.End}) lies outside the text's {textByteLength} bytes " +
                    "(are the spans and the length from the same text?).", name);
            if (s.Start < previousStart)
                throw new ArgumentException($"{name} token {k}: starts at byte {s.Start}, before token {k - 1} ({previousStart}); " +
                    "spans must be sorted by start (in token order).", name);
            if (s.TrueStart && s.End > s.Start)
            {
                if (s.Start == previousTrue)
                    throw new ArgumentException($"{name} token {k}: a second true start at byte {s.Start}; build spans with ByteSpans.", name);
                previousTrue = s.Start;
            }
            previousStart = s.Start;
        }
    }
}
