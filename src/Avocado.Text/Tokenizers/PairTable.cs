using System.Runtime.CompilerServices;

namespace Avocado.Text.Tokenizers;

/// <summary>
/// Open-addressing hash map from a token pair (left &lt;&lt; 32 | right) to a long (merge rank &lt;&lt; 32 | merged id).
/// (Dictionary&lt;long, …&gt; hashes a long as its two halves XORed, so every (x, x) pair would share one bucket.)
/// </summary>
internal sealed class PairTable
{
    private const long Empty = -1;
    private readonly long[] _keys;
    private readonly long[] _values;
    private readonly int _mask;

    public int Count { get; private set; }

    public PairTable(int capacity)
    {
        int size = 16;
        while (size < capacity * 2) size <<= 1;
        _keys = new long[size];
        _values = new long[size];
        Array.Fill(_keys, Empty);
        _mask = size - 1;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int Slot(long key) => (int)(((ulong)key * 0x9E3779B97F4A7C15UL) >> 40) & _mask;

    /// <summary>Adds the pair unless present (the first merge of a pair wins, as in Hugging Face tokenizers).</summary>
    public bool TryAdd(long key, long value)
    {
        int i = Slot(key);
        while (_keys[i] != Empty)
        {
            if (_keys[i] == key) return false;
            i = (i + 1) & _mask;
        }
        _keys[i] = key;
        _values[i] = value;
        Count++;
        return true;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public long GetOrDefault(long key, long missing)
    {
        int i = Slot(key);
        while (true)
        {
            long k = _keys[i];
            if (k == key) return _values[i];
            if (k == Empty) return missing;
            i = (i + 1) & _mask;
        }
    }
}
