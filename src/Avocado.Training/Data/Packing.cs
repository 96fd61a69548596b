namespace Avocado.Training.Data;

/// <summary>Where an example's first <see cref="Length"/> tokens sit: row, and column offset in it.</summary>
public readonly record struct Placement(int Example, int Offset, int Length);

/// <summary>One row of a micro-batch: several whole examples back to back (packing), or one (no packing).</summary>
public sealed record PackedRow(IReadOnlyList<Placement> Items)
{
    public int Used => Items.Count == 0 ? 0 : Items[^1].Offset + Items[^1].Length;
}

/// <summary>
/// The order of training: each epoch shuffles the examples with a generator seeded by (seed, epoch), then packs them
/// greedily into rows of at most seqLen tokens (an example that does not fit starts a new row; one longer than seqLen
/// is cut). The plan is a pure function of (examples, seed, epoch), so a resumed run recomputes exactly the rows it
/// would have seen, from the micro-batch counter alone.
/// </summary>
public sealed class Packing(IReadOnlyList<TrainingExample> examples, long seed, int seqLen, bool pack, int rowsPerBatch)
{
    readonly Dictionary<int, IReadOnlyList<PackedRow>> _epochs = [];

    public int SeqLen => seqLen;

    /// <summary>Examples whose targets the cut at seqLen removes entirely (they never train).</summary>
    public int Unusable => examples.Count(e => e.FirstTarget >= seqLen);
    public int Truncated => examples.Count(e => e.Length > seqLen && e.FirstTarget < seqLen);

    public IReadOnlyList<PackedRow> Epoch(int epoch)
    {
        if (_epochs.TryGetValue(epoch, out var rows)) return rows;
        var order = Enumerable.Range(0, examples.Count).Where(i => examples[i].FirstTarget < seqLen).ToArray();
        if (order.Length == 0) throw new InvalidDataException($"every example's assistant turn starts beyond seq_len {seqLen}; raise training.seq_len");
        Shuffle(order, Mix(seed, epoch));
        var result = new List<PackedRow>();
        var current = new List<Placement>();
        int used = 0;
        foreach (var i in order)
        {
            int length = Math.Min(examples[i].Length, seqLen);
            if (current.Count > 0 && (!pack || used + length > seqLen))
            {
                result.Add(new PackedRow(current));
                current = [];
                used = 0;
            }
            current.Add(new Placement(i, used, length));
            used += length;
        }
        if (current.Count > 0) result.Add(new PackedRow(current));
        if (_epochs.Count > 4) _epochs.Clear(); // only the current epoch matters; bound the memory
        return _epochs[epoch] = result;
    }

    /// <summary>The rows of micro-batch <paramref name="index"/> (counted from the start of training) and its epoch.
    /// An epoch's last batch may have fewer rows.</summary>
    public (int Epoch, IReadOnlyList<PackedRow> Rows) MicroBatch(long index)
    {
        int epoch = 0;
        while (true)
        {
            var rows = Epoch(epoch);
            long batches = (rows.Count + rowsPerBatch - 1) / rowsPerBatch;
            if (index < batches)
                return (epoch, rows.Skip((int)index * rowsPerBatch).Take(rowsPerBatch).ToList());
            index -= batches;
            epoch++;
        }
    }

    /// <summary>Fisher–Yates with SplitMix64: our own generator, so the order never depends on a runtime's Random.</summary>
    static void Shuffle(int[] items, ulong state)
    {
        for (int i = items.Length - 1; i > 0; i--)
        {
            int j = (int)(Next(ref state) % (ulong)(i + 1));
            (items[i], items[j]) = (items[j], items[i]);
        }
    }

    static ulong Mix(long seed, int epoch) => (ulong)seed * 0x9E3779B97F4A7C15UL ^ (ulong)(epoch + 1) * 0xD1B54A32D192ED03UL;

    static ulong Next(ref ulong state)
    {
        ulong z = state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
