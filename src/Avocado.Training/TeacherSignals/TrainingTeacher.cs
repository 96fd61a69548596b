using Avocado.Inference;
using System.Text;
using Avocado.Training.Alignment;
using Avocado.Training.Data;
using Avocado.Models.Torch;
using Avocado.Models;
using Avocado.Teachers;
using Avocado.Text.Chat;
using TorchSharp;
using static TorchSharp.torch;

namespace Avocado.Training.TeacherSignals;

/// <summary>
/// A teacher loaded in-process for training. With the student's exact tokenizer (same tokenizer.json) it scores the
/// student's own token sequence and gives full-vocabulary logits; otherwise it reads the conversation in its own chat
/// format and tokenizer and gives its top-k next-token distributions at positions byte-aligned with the student's.
/// Teachers are frozen: every pass runs without gradients, in eval mode.
/// </summary>
public sealed class TrainingTeacher : IDisposable
{
    public TrainTeacherSpec Spec { get; }
    public CausalLM Model { get; }
    public TokenizerRef Tokenizer { get; }
    public IChatFormat Format { get; }
    public bool SharesVocabulary { get; }
    /// <summary>Same-vocabulary teachers: the ids compared (the tokenizer's, when embedding tables are padded differently).</summary>
    public int ComparedVocab { get; }
    /// <summary>Cross-tokenizer teachers: teacher id → student id with the same bytes, or −1.</summary>
    public VocabularyMap? ToStudent { get; }
    /// <summary>Provenance for the run directory: revision (given, or the checkpoint's content hash) and license.</summary>
    public string Revision { get; }
    public string Notice { get; }

    readonly ExampleBuilder? _builder;
    readonly Dictionary<int, CrossOutputs> _cache = [];
    long _cachedBytes;
    const long CacheLimitBytes = 512L << 20;

    public TrainingTeacher(TrainTeacherSpec spec, TokenizerRef student, int studentVocab, Device device)
    {
        Spec = spec;
        Model = ModelLoader.Load(spec.Checkpoint, ScalarType.Float32, device);
        foreach (var p in Model.parameters()) p.requires_grad = false;
        Tokenizer = TokenizerRef.Load(spec.Tokenizer);
        Format = ChatFormats.For(spec.ChatFormat);
        Revision = spec.Revision ?? CheckpointFingerprint.Compute(spec.Checkpoint);
        SharesVocabulary = Tokenizer.Sha256 == student.Sha256;
        if (SharesVocabulary)
        {
            int tokenizerVocab = student.Tokenizer.VocabSize, teacherVocab = Model.Config.VocabSize;
            if (teacherVocab == studentVocab) { ComparedVocab = studentVocab; Notice = $"same tokenizer, vocabulary {studentVocab}: full-logit distillation"; }
            else if (teacherVocab >= tokenizerVocab && studentVocab >= tokenizerVocab)
            {
                // Padded embedding tables (151936 vs 152064): the rows past the tokenizer are never produced by it,
                // so both sides are compared on the tokenizer's ids — said out loud, never done silently.
                ComparedVocab = tokenizerVocab;
                Notice = $"same tokenizer; embedding tables differ ({teacherVocab} vs student {studentVocab}): comparing the tokenizer's {tokenizerVocab} ids, padding rows ignored";
            }
            else throw new InvalidDataException(
                $"teacher '{spec.Name}': vocabulary {teacherVocab} and student {studentVocab} do not both cover the shared tokenizer's {tokenizerVocab} ids; fix the checkpoint's vocab_size");
        }
        else
        {
            ToStudent = ProjectVocabulary(new VocabularyBridge(student.Tokenizer).MapVocabulary(Tokenizer.Tokenizer), Tokenizer.Tokenizer, student.Tokenizer);
            _builder = new ExampleBuilder(Tokenizer.Tokenizer, Format);
            Notice = FormattableString.Invariant(
                $"different tokenizer ({Tokenizer.Tokenizer.Name}): cross-tokenizer distillation on byte-aligned positions; {ToStudent.Coverage:P1} of its tokens project onto a student token");
        }
    }

    /// <summary>
    /// Teacher id → student id: the student token with exactly the same bytes where one exists; otherwise the first
    /// token of the student's own tokenization of the teacher token's text. At a byte-aligned position, a teacher that
    /// continues with "12" predicts that the student continues with its token for "1", so its probability belongs
    /// there — sending it to the tail instead would teach the student to avoid the right token. Byte fragments that
    /// are not whole characters stay unmapped (tail).
    /// </summary>
    static VocabularyMap ProjectVocabulary(VocabularyMap exact, Text.Tokenizers.ITokenizer teacher, Text.Tokenizers.ITokenizer student)
    {
        var ids = (int[])exact.StudentIds.Clone();
        var strict = new UTF8Encoding(false, true);
        int mapped = 0;
        for (int t = 0; t < ids.Length; t++)
        {
            if (ids[t] < 0 && !teacher.IsSpecial(t) && teacher.TokenBytes(t) is { Length: > 0 } bytes)
            {
                try
                {
                    var first = student.Encode(strict.GetString(bytes), parseSpecial: false);
                    if (first.Count > 0) ids[t] = first[0];
                }
                catch (DecoderFallbackException) { } // part of a character: no student token starts with it
            }
            if (ids[t] >= 0) mapped++;
        }
        return new VocabularyMap(ids, mapped, exact.Eligible);
    }

    /// <summary>Same vocabulary: the teacher's logits (N, ComparedVocab) at the micro-batch's target rows.</summary>
    public Tensor TargetLogits(MicroBatch batch)
    {
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        var logits = batch.TargetLogits(Model);
        if (logits.shape[1] != ComparedVocab) logits = logits.narrow(1, 0, ComparedVocab);
        return logits.MoveToOuterDisposeScope();
    }

    /// <summary>Cross-tokenizer: the teacher's top-k at each of its assistant positions, cached per example.</summary>
    public CrossOutputs Cross(TrainingExample example, int topK)
    {
        if (_builder is null) throw new InvalidOperationException($"teacher '{Spec.Name}' shares the student's vocabulary");
        if (_cache.TryGetValue(example.Index, out var cached)) return cached;
        var own = _builder.Build(example.Record, example.Index);
        var outputs = CrossOutputs.Compute(Model, own, topK, ToStudent!);
        long bytes = outputs.Ids.Length * 16L;
        if (_cachedBytes + bytes <= CacheLimitBytes) { _cache[example.Index] = outputs; _cachedBytes += bytes; }
        return outputs;
    }

    public void Dispose() => Model.Dispose();
}

/// <summary>
/// A cross-tokenizer teacher's view of one example: for each of its assistant tokens (relative index r), the top-k
/// next-token log-probabilities at the position predicting it, with ids mapped to the student vocabulary (−1 where no
/// student token has those bytes; duplicates merged), its byte span in the assistant text, and its cross-entropy and
/// entropy (for teacher weighting).
/// </summary>
/// <param name="Logprobs">The teacher's top-k log-probabilities as it produced them (for ULD).</param>
/// <param name="MappedLogprobs">The same, with duplicates merged to match <paramref name="Ids"/> (for exact matching).</param>
public sealed record CrossOutputs(int Tokens, int K, long[] Ids, float[] Logprobs, float[] MappedLogprobs, ByteSpan[] Spans,
    string AssistantText, double CrossEntropyPerByte, double MeanEntropy)
{
    public static CrossOutputs Compute(CausalLM model, TrainingExample own, int topK, VocabularyMap map)
    {
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        int n = own.Targets, k = (int)Math.Min(topK, model.Config.VocabSize);
        var ids = tensor(own.Ids.Select(i => (long)i).ToArray(), device: model.Device).unsqueeze(0);
        var positions = ScalarOps.Arange(0, own.Length, model.Device).unsqueeze(0);
        var h = model.model.Forward(ids, positions, null);
        var logp = model.Head(h[0].narrow(0, own.FirstTarget - 1, n)).log_softmax(1);        // (n, V)
        var next = tensor(own.Ids.Skip(own.FirstTarget).Select(i => (long)i).ToArray(), device: model.Device);
        double ceSum = -logp.gather(1, next.unsqueeze(1)).sum().item<float>();
        double entropy = -(logp.exp() * logp).sum(1).mean().item<float>();
        var (values, indices) = logp.topk(k, 1);
        var lp = values.cpu().data<float>().ToArray();
        var teacherIds = indices.cpu().data<long>().ToArray();
        var studentIds = new long[teacherIds.Length];
        var mapped = (float[])lp.Clone();
        for (int r = 0; r < n; r++) MapRow(teacherIds.AsSpan(r * k, k), mapped.AsSpan(r * k, k), studentIds.AsSpan(r * k, k), map);
        var assistantBytes = Encoding.UTF8.GetByteCount(own.Text) - own.PromptBytes;
        var spans = ByteSpans.FromOffsets(own.Offsets.Skip(own.FirstTarget).Select(o => (o.Start - own.PromptBytes, o.End - own.PromptBytes)).ToList());
        var text = Encoding.UTF8.GetString(Encoding.UTF8.GetBytes(own.Text), own.PromptBytes, assistantBytes);
        return new CrossOutputs(n, k, studentIds, lp, mapped, spans, text, ceSum / Math.Max(1, assistantBytes), entropy);
    }

    /// <summary>log(eᵃ + eᵇ) without overflow: merges two tokens' probabilities in log space.</summary>
    public static float LogAdd(float a, float b)
    {
        float m = Math.Max(a, b);
        return m + MathF.Log(MathF.Exp(a - m) + MathF.Exp(b - m));
    }

    /// <summary>Maps one row's ids; two teacher tokens with the same bytes (byte-fallback tokens) merge into the first
    /// one's bucket (log-sum-exp of their log-probabilities), the other becomes −1 with no mass.</summary>
    static void MapRow(ReadOnlySpan<long> teacher, Span<float> logprobs, Span<long> student, VocabularyMap map)
    {
        for (int j = 0; j < teacher.Length; j++)
        {
            int s = map[(int)teacher[j]];
            student[j] = s;
            if (s < 0) continue;
            for (int i = 0; i < j; i++)
                if (student[i] == s)
                {
                    logprobs[i] = LogAdd(logprobs[i], logprobs[j]);
                    logprobs[j] = float.NegativeInfinity;
                    student[j] = -1;
                    break;
                }
        }
    }
}
