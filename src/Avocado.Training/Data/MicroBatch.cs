using Avocado.Models;
using static TorchSharp.torch;

namespace Avocado.Training.Data;

/// <summary>
/// A micro-batch as tensors. Ids/Positions/Segments are (B, T) (padding: id = pad, position −1, segment −1).
/// The N target rows: <see cref="TargetIndex"/> indexes the flattened (B·T) positions whose logits predict
/// <see cref="TargetIds"/>; <see cref="TargetExample"/> is the example each target belongs to (an index into
/// <see cref="Examples"/>), and <see cref="ExampleTargets"/> gives each example's [from, to) range of target rows.
/// </summary>
public sealed class MicroBatch : IDisposable
{
    public required Tensor Ids { get; init; }
    public required Tensor Positions { get; init; }
    public required Tensor Segments { get; init; }
    public required Tensor TargetIndex { get; init; }
    public required Tensor TargetIds { get; init; }
    public required IReadOnlyList<TrainingExample> Examples { get; init; }
    /// <summary>Per example (same order as <see cref="Examples"/>): its row, column offset, kept length and target rows.</summary>
    public required IReadOnlyList<(int Row, int Offset, int Length, int From, int To)> Layout { get; init; }
    public int Tokens { get; init; }
    public int TargetCount => Layout.Count == 0 ? 0 : Layout[^1].To;

    /// <summary>A model's float32 logits (N, V) at the target rows only: (B·T, V) logits never exist, which matters for
    /// 150k–260k-token vocabularies. The one place where hidden states meet the target index.</summary>
    public Tensor TargetLogits(CausalLM model)
    {
        using var scope = NewDisposeScope();
        var h = model.model.Forward(Ids, Positions, null, null, Segments);           // (B, T, C)
        return model.Head(h.view(-1, h.shape[^1]).index_select(0, TargetIndex)).MoveToOuterDisposeScope(); // (N, V)
    }

    public static MicroBatch Build(IReadOnlyList<PackedRow> rows, IReadOnlyList<TrainingExample> examples, int padId, Device device)
    {
        int width = rows.Max(r => r.Used);
        var ids = new long[rows.Count * width];
        var positions = new long[ids.Length];
        var segments = new long[ids.Length];
        Array.Fill(ids, padId);
        Array.Fill(positions, -1);
        Array.Fill(segments, -1);
        var targetIndex = new List<long>();
        var targetIds = new List<long>();
        var used = new List<TrainingExample>();
        var layout = new List<(int, int, int, int, int)>();
        int tokens = 0;
        for (int r = 0; r < rows.Count; r++)
            foreach (var p in rows[r].Items)
            {
                var e = examples[p.Example];
                int from = targetIndex.Count;
                for (int t = 0; t < p.Length; t++)
                {
                    int flat = r * width + p.Offset + t;
                    ids[flat] = e.Ids[t];
                    positions[flat] = t;
                    segments[flat] = used.Count;
                }
                // Label shift: the logits at position t predict token t + 1 (only assistant tokens are targets).
                for (int t = e.FirstTarget; t < p.Length; t++)
                {
                    targetIndex.Add(r * width + p.Offset + t - 1);
                    targetIds.Add(e.Ids[t]);
                }
                layout.Add((r, p.Offset, p.Length, from, targetIndex.Count));
                used.Add(e);
                tokens += p.Length;
            }
        return new MicroBatch
        {
            Ids = tensor(ids, device: device).view(rows.Count, width),
            Positions = tensor(positions, device: device).view(rows.Count, width),
            Segments = tensor(segments, device: device).view(rows.Count, width),
            TargetIndex = tensor(targetIndex.ToArray(), device: device),
            TargetIds = tensor(targetIds.ToArray(), device: device),
            Examples = used, Layout = layout, Tokens = tokens,
        };
    }

    public void Dispose()
    {
        Ids.Dispose(); Positions.Dispose(); Segments.Dispose(); TargetIndex.Dispose(); TargetIds.Dispose();
    }
}
