using Avocado.Training.Alignment;
using Avocado.Training.Data;
using Avocado.Training.Losses;
using Avocado.Training.TeacherSignals;
using Avocado.Models.Torch;
using Avocado.Models;
using static TorchSharp.torch;

namespace Avocado.Training.Objective;

/// <summary>The loss of one micro-batch, and each of its terms (already multiplied by nothing: raw per-token means).</summary>
public sealed record ObjectiveResult(Tensor Total, IReadOnlyDictionary<string, double> Terms);

/// <summary>
/// The training objective, one formula for every combination of teachers:
/// <code>
/// loss = a·CE(student, trace)
///      + b·Σ_t w_t(x)·D(p_t ‖ q)                      same-tokenizer teachers, full logits (D = forward KL / reverse KL / JSD_β, at temperature T)
///      + c·Σ_t w_t(x)·ULD(p_t, q) + d·Σ_t w_t(x)·KL_topk(p_t ‖ q)   different-tokenizer teachers, byte-aligned positions
///      + e·KL_topk(p_rec ‖ q) [+ c·ULD(p_rec, q)]     top-k log-probabilities stored in the records
/// </code>
/// Every term is a mean over its token positions (so no term is 100× smaller by construction) and is reported on its
/// own; the weights w_t(x) come from <see cref="TeacherWeights"/>.
/// </summary>
public sealed class DistillObjective(LossSpec losses, WeightingSpec weighting, IReadOnlyList<TrainingTeacher> teachers, VocabularyBridge studentBridge)
{
    public string Describe()
    {
        var lines = new List<string> { FormattableString.Invariant($"loss = {losses.Sequence}·CE(trace)") };
        if (teachers.Any(t => t.SharesVocabulary) && losses.Logit > 0)
            lines.Add(FormattableString.Invariant($"     + {losses.Logit}·Σ_t w_t(x)·{KindName()}(T={losses.Temperature})   [{string.Join(", ", teachers.Where(t => t.SharesVocabulary).Select(t => t.Spec.Name))}]"));
        if (teachers.Any(t => !t.SharesVocabulary))
            lines.Add(FormattableString.Invariant($"     + {losses.Uld}·Σ_t w_t(x)·ULD + {losses.ExactMatch}·Σ_t w_t(x)·KL_top{losses.TeacherTopK}+tail   byte-aligned [{string.Join(", ", teachers.Where(t => !t.SharesVocabulary).Select(t => t.Spec.Name))}]"));
        if (losses.StoredTopK > 0) lines.Add(FormattableString.Invariant($"     + {losses.StoredTopK}·KL_topk+tail(stored log-probabilities)"));
        if (teachers.Count > 0) lines.Add("  " + TeacherWeights.Formula(weighting.Method, weighting.Temperature));
        return string.Join("\n", lines);
    }

    string KindName() => losses.LogitKind switch
    {
        LogitLossKind.ForwardKl => "KL(p_t‖q)",
        LogitLossKind.ReverseKl => "KL(q‖p_t)",
        _ => FormattableString.Invariant($"JSD_β={losses.JsdBeta}"),
    };

    public ObjectiveResult Compute(CausalLM student, MicroBatch batch)
    {
        var terms = new Dictionary<string, double>();
        var logits = batch.TargetLogits(student); // (N, V)
        int n = (int)logits.shape[0];
        var ce = SequenceLoss.CrossEntropy(logits, batch.TargetIds);
        terms["loss/ce"] = ce.item<float>();
        var total = WeightedRows.Scale(ce, losses.Sequence);

        // Teacher passes first: their signals decide the weights of every teacher's term.
        var full = new Dictionary<TrainingTeacher, Tensor>();
        var cross = new Dictionary<TrainingTeacher, CrossOutputs?[]>();
        var signals = new TeacherSignal[batch.Examples.Count][];
        for (int e = 0; e < signals.Length; e++) signals[e] = new TeacherSignal[teachers.Count];
        for (int t = 0; t < teachers.Count; t++)
        {
            var teacher = teachers[t];
            if (teacher.SharesVocabulary)
            {
                var tl = full[teacher] = teacher.TargetLogits(batch);
                var (ce_, entropy) = RowStats(tl, batch.TargetIds);
                for (int e = 0; e < signals.Length; e++)
                {
                    var (_, _, _, from, to) = batch.Layout[e];
                    int bytes = Math.Max(1, System.Text.Encoding.UTF8.GetByteCount(batch.Examples[e].AssistantText));
                    signals[e][t] = new TeacherSignal(teacher.Spec.Weight, teacher.Spec.Skills,
                        Sum(ce_, from, to) / bytes, to > from ? Sum(entropy, from, to) / (to - from) : 0);
                }
            }
            else
            {
                var outputs = cross[teacher] = batch.Examples.Select(e => Idle(teacher, e.Record.Skill) ? null : teacher.Cross(e, losses.TeacherTopK)).ToArray();
                for (int e = 0; e < signals.Length; e++)
                    signals[e][t] = new TeacherSignal(teacher.Spec.Weight, teacher.Spec.Skills, outputs[e]?.CrossEntropyPerByte ?? 0, outputs[e]?.MeanEntropy ?? 0);
            }
        }
        var weights = signals.Select((s, e) => TeacherWeights.Compute(weighting.Method, weighting.Temperature, s, batch.Examples[e].Record.Skill)).ToArray();

        for (int t = 0; t < teachers.Count; t++)
        {
            var teacher = teachers[t];
            var name = teacher.Spec.Name;
            terms[$"weight/{name}"] = weights.Length == 0 ? 0 : weights.Average(w => w[t]);
            if (full.TryGetValue(teacher, out var tl))
            {
                if (losses.Logit == 0) continue;
                var sl = logits.shape[1] == tl.shape[1] ? logits : logits.narrow(1, 0, tl.shape[1]);
                var ranges = batch.Layout.Select((l, e) => (l.From, l.To, weights[e][t])).ToList();
                var kd = WeightedRows.Apply(ranges, n, (f, c) => LogitLoss(sl.narrow(0, f, c), tl.narrow(0, f, c)));
                if (kd is null) continue;
                terms[$"loss/kd_{name}"] = kd.item<float>();
                total = total.Add(WeightedRows.Scale(kd, losses.Logit));
            }
            else if (cross.TryGetValue(teacher, out var outputs))
            {
                var aligned = AlignCross(batch, outputs, weights, t);
                terms[$"align/{name}"] = n == 0 ? 0 : (double)aligned.Rows / n;
                total = AddTopKTerms(total, terms, name, logits, aligned, losses.Uld, losses.ExactMatch);
            }
        }
        if (losses.StoredTopK > 0)
        {
            var stored = AlignStored(batch);
            terms["align/stored"] = n == 0 ? 0 : (double)stored.Rows / n;
            total = AddTopKTerms(total, terms, "stored", logits, stored, losses.Uld > 0 ? losses.StoredTopK * losses.Uld : 0, losses.StoredTopK);
        }
        foreach (var tl in full.Values) tl.Dispose();
        terms["loss/total"] = total.item<float>();
        return new ObjectiveResult(total, terms);
    }

    /// <summary>Under per-skill routing a teacher that does not list the example's skill weighs 0 whenever another one
    /// lists it: its (cross-tokenizer, per-example) forward pass is skipped.</summary>
    bool Idle(TrainingTeacher teacher, string? skill) =>
        weighting.Method == WeightingMethod.Skill && skill is not null && !teacher.Spec.Skills.Contains(skill)
        && teachers.Any(u => u.Spec.Weight > 0 && u.Spec.Skills.Contains(skill));

    Tensor LogitLoss(Tensor student, Tensor teacher) => losses.LogitKind switch
    {
        LogitLossKind.ForwardKl => LogitLosses.ForwardKl(student, teacher, losses.Temperature),
        LogitLossKind.ReverseKl => LogitLosses.ReverseKl(student, teacher, losses.Temperature),
        _ => LogitLosses.GeneralizedJsd(student, teacher, losses.JsdBeta, losses.Temperature),
    };

    static Tensor AddTopKTerms(Tensor total, Dictionary<string, double> terms, string name, Tensor logits, AlignedRows rows, double uldWeight, double exactWeight)
    {
        if (rows.Rows == 0) return total;
        using var studentRows = tensor(rows.StudentRows.ToArray(), device: logits.device);
        var sl = logits.index_select(0, studentRows);
        var k = rows.K;
        using var ids = tensor(rows.Ids.ToArray(), device: logits.device).view(rows.Rows, k);
        using var mapped = tensor(rows.MappedLogprobs.ToArray(), device: logits.device).view(rows.Rows, k);
        using var probs = tensor(rows.Logprobs.ToArray(), device: logits.device).view(rows.Rows, k).exp();
        if (uldWeight > 0 && WeightedRows.Apply(rows.Ranges, rows.Rows, (f, c) => UldLoss.Loss(sl.narrow(0, f, c), probs.narrow(0, f, c))) is { } uld)
        {
            terms[$"loss/uld_{name}"] = uld.item<float>();
            total = total.Add(WeightedRows.Scale(uld, uldWeight));
        }
        if (exactWeight > 0 && WeightedRows.Apply(rows.Ranges, rows.Rows, (f, c) => TopKLoss.Kl(sl.narrow(0, f, c), ids.narrow(0, f, c), mapped.narrow(0, f, c))) is { } exact)
        {
            terms[$"loss/exact_{name}"] = exact.item<float>();
            total = total.Add(WeightedRows.Scale(exact, exactWeight));
        }
        return total;
    }

    /// <summary>Rows of a top-k term: student target row, the teacher's k ids (student vocabulary) and log-probs.</summary>
    sealed class AlignedRows(int k)
    {
        public int K { get; } = k;
        public List<long> StudentRows { get; } = [];
        public List<long> Ids { get; } = [];
        public List<float> Logprobs { get; } = [];
        public List<float> MappedLogprobs { get; } = [];
        public List<(int From, int To, double Weight)> Ranges { get; } = [];
        public int Rows => StudentRows.Count;
    }

    AlignedRows AlignCross(MicroBatch batch, CrossOutputs?[] outputs, double[][] weights, int t)
    {
        var rows = new AlignedRows(outputs.FirstOrDefault(o => o is not null)?.K ?? 1);
        for (int e = 0; e < outputs.Length; e++)
        {
            var example = batch.Examples[e];
            var (_, _, length, from, _) = batch.Layout[e];
            if (outputs[e] is not { } o) continue; // idle for this example: weight 0
            IReadOnlyList<AlignedPair> pairs;
            try { pairs = SegmentMap.AlignWithin(SegmentMap.Locate(o.AssistantText, example.AssistantText, example.Segments), o.Spans, example.AssistantSpans(length)); }
            catch (InvalidDataException) { continue; } // the teacher's rendering lost a segment (e.g. whitespace normalised): no aligned rows
            int start = rows.Rows;
            foreach (var p in pairs)
            {
                rows.StudentRows.Add(from + p.Student);
                rows.Ids.AddRange(o.Ids.AsSpan(p.Teacher * o.K, o.K));
                rows.Logprobs.AddRange(o.Logprobs.AsSpan(p.Teacher * o.K, o.K));
                rows.MappedLogprobs.AddRange(o.MappedLogprobs.AsSpan(p.Teacher * o.K, o.K));
            }
            if (rows.Rows > start) rows.Ranges.Add((start, rows.Rows, weights[e][t]));
        }
        return rows;
    }

    /// <summary>Top-k log-probabilities stored with the records (endpoint teachers), aligned like a cross-tokenizer teacher.</summary>
    AlignedRows AlignStored(MicroBatch batch)
    {
        int k = batch.Examples.Select(e => e.Record.Logprobs?.Max(t => t.Top?.Count ?? 0) ?? 0).DefaultIfEmpty(0).Max();
        var rows = new AlignedRows(Math.Max(1, k));
        if (k == 0) return rows;
        for (int e = 0; e < batch.Examples.Count; e++)
        {
            var example = batch.Examples[e];
            if (example.Record is not { Logprobs: { Count: > 0 } tokens, Text: { } text }) continue;
            var (_, _, length, from, _) = batch.Layout[e];
            var spans = ByteSpans.FromCharacterSpans(tokens.Select(x => (x.ByteOffset, x.ByteLength)).ToList(), text);
            IReadOnlyList<AlignedPair> pairs;
            try { pairs = SegmentMap.AlignWithin(SegmentMap.Locate(text, example.AssistantText, example.Segments), spans, example.AssistantSpans(length)); }
            catch (InvalidDataException) { continue; }
            int start = rows.Rows;
            foreach (var p in pairs)
            {
                var top = tokens[p.Teacher].Top ?? [];
                if (top.Count == 0) continue;
                rows.StudentRows.Add(from + p.Student);
                var ids = new long[k];
                var lp = new float[k];
                var mapped = new float[k];
                Array.Fill(ids, -1);
                Array.Fill(lp, float.NegativeInfinity);
                Array.Fill(mapped, float.NegativeInfinity);
                for (int j = 0; j < top.Count && j < k; j++)
                {
                    lp[j] = top[j].Logprob;
                    int? id = studentBridge.StudentId(top[j].Token);
                    int dup = id is { } s ? Array.IndexOf(ids, (long)s, 0, j) : -1;
                    if (id is null) continue;
                    if (dup >= 0) { mapped[dup] = CrossOutputs.LogAdd(mapped[dup], top[j].Logprob); continue; }
                    ids[j] = id.Value;
                    mapped[j] = top[j].Logprob;
                }
                rows.Ids.AddRange(ids);
                rows.Logprobs.AddRange(lp);
                rows.MappedLogprobs.AddRange(mapped);
            }
            if (rows.Rows > start) rows.Ranges.Add((start, rows.Rows, 1.0));
        }
        return rows;
    }

    /// <summary>Per target row: the teacher's −log p(target) and entropy, copied to the CPU.</summary>
    static (float[] Ce, float[] Entropy) RowStats(Tensor teacherLogits, Tensor targets)
    {
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        var logp = teacherLogits.log_softmax(1);
        var ce = -logp.gather(1, targets.unsqueeze(1)).squeeze(1);
        var entropy = -(logp.exp() * logp).sum(1);
        return (ce.cpu().data<float>().ToArray(), entropy.cpu().data<float>().ToArray());
    }

    static double Sum(float[] values, int from, int to)
    {
        double s = 0;
        for (int i = from; i < to; i++) s += values[i];
        return s;
    }
}
