using Avocado.Data.Dataset;
using Avocado.Training.Data;
using static TorchSharp.torch;

namespace Avocado.Training.Tests.Data;

public sealed class PackingTests
{
    /// <summary>Example i has <paramref name="lengths"/>[i] tokens with ids 100·i + t; its assistant turn starts at <paramref name="firstTarget"/>.</summary>
    static List<TrainingExample> Examples(int[] lengths, int firstTarget = 2) =>
        lengths.Select((n, i) => new TrainingExample
        {
            Index = i,
            Record = null!,
            Text = "",
            PromptBytes = 0,
            Ids = Enumerable.Range(0, n).Select(t => 100 * i + t).ToArray(),
            Offsets = new (int, int)[n],
            FirstTarget = Math.Min(firstTarget, n - 1),
            Segments = [],
        }).ToList();

    [Fact]
    public void Rows_hold_whole_examples_back_to_back_and_never_exceed_seq_len()
    {
        var examples = Examples([5, 3, 7, 2, 6, 4]);
        var packing = new Packing(examples, seed: 3, seqLen: 10, pack: true, rowsPerBatch: 2);

        var rows = packing.Epoch(0);

        Assert.All(rows, r => Assert.True(r.Used <= 10));
        Assert.All(rows, r => Assert.Equal(r.Items.Select(p => p.Offset), r.Items.Select(p => r.Items.TakeWhile(q => q != p).Sum(q => q.Length))));
        Assert.Equal(Enumerable.Range(0, 6), rows.SelectMany(r => r.Items).Select(p => p.Example).Order());   // every example once
        Assert.Equal(27, rows.Sum(r => r.Used));
    }

    [Fact]
    public void Epochs_shuffle_differently_and_deterministically_and_batches_run_across_epoch_boundaries()
    {
        var examples = Examples([4, 4, 4, 4, 4, 4, 4]);
        var a = new Packing(examples, seed: 11, seqLen: 4, pack: true, rowsPerBatch: 3);
        var b = new Packing(examples, seed: 11, seqLen: 4, pack: true, rowsPerBatch: 3);
        string Order(Packing p, int epoch) => string.Join(",", p.Epoch(epoch).SelectMany(r => r.Items).Select(i => i.Example));

        Assert.Equal(Order(a, 0), Order(b, 0));
        Assert.NotEqual(Order(a, 0), Order(a, 1));
        // 7 rows per epoch in batches of 3: batches 0–2 are epoch 0 (the last has 1 row), batch 3 starts epoch 1.
        Assert.Equal((0, 3), (a.MicroBatch(0).Epoch, a.MicroBatch(0).Rows.Count));
        Assert.Equal((0, 1), (a.MicroBatch(2).Epoch, a.MicroBatch(2).Rows.Count));
        Assert.Equal((1, 3), (a.MicroBatch(3).Epoch, a.MicroBatch(3).Rows.Count));
        Assert.Equal(a.Epoch(1)[0], a.MicroBatch(3).Rows[0]);
    }

    [Fact]
    public void Long_examples_are_cut_and_examples_whose_targets_start_past_seq_len_never_train()
    {
        var examples = Examples([12, 3], firstTarget: 2).Append(Examples([9], firstTarget: 8)[0] with { Index = 2 }).ToList();
        var packing = new Packing(examples, seed: 1, seqLen: 6, pack: true, rowsPerBatch: 4);

        Assert.Equal((1, 1), (packing.Unusable, packing.Truncated));
        var items = packing.Epoch(0).SelectMany(r => r.Items).ToList();
        Assert.DoesNotContain(items, p => p.Example == 2);
        Assert.Equal(6, items.Single(p => p.Example == 0).Length);
    }

    [Fact]
    public void A_micro_batch_masks_padding_restarts_positions_per_example_and_shifts_labels_by_one()
    {
        var examples = Examples([4, 3, 5], firstTarget: 2);
        var rows = new List<PackedRow>
        {
            new([new Placement(0, 0, 4), new Placement(1, 4, 3)]),
            new([new Placement(2, 0, 5)]),
        };

        using var batch = MicroBatch.Build(rows, examples, padId: 9, CPU);

        Assert.Equal(new long[] { 2, 7 }, batch.Ids.shape);
        Assert.Equal(new long[] { 0, 1, 2, 3, 0, 1, 2, 0, 1, 2, 3, 4, -1, -1 }, batch.Positions.data<long>().ToArray());
        Assert.Equal(new long[] { 0, 0, 0, 0, 1, 1, 1, 2, 2, 2, 2, 2, -1, -1 }, batch.Segments.data<long>().ToArray());
        Assert.Equal(new long[] { 0, 1, 2, 3, 100, 101, 102, 200, 201, 202, 203, 204, 9, 9 }, batch.Ids.data<long>().ToArray());
        // Targets are tokens FirstTarget… of each example, predicted from the position before.
        Assert.Equal(new long[] { 2, 3, 102, 202, 203, 204 }, batch.TargetIds.data<long>().ToArray());
        Assert.Equal(new long[] { 1, 2, 5, 8, 9, 10 }, batch.TargetIndex.data<long>().ToArray());
        Assert.Equal([(0, 0, 4, 0, 2), (0, 4, 3, 2, 3), (1, 0, 5, 3, 6)], batch.Layout);
        Assert.Equal(12, batch.Tokens);
    }
}
