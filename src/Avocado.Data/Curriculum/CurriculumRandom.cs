namespace Avocado.Data.Curriculum;

/// <summary>
/// SplitMix64: a tiny generator whose sequence is fixed by this code alone (unlike <see cref="Random"/>, whose
/// algorithm may change between runtimes), so a curriculum is the same for a seed everywhere and forever.
/// </summary>
internal sealed class CurriculumRandom(ulong seed)
{
    private ulong _state = seed;

    public ulong NextUInt64()
    {
        _state += 0x9E3779B97F4A7C15UL;
        return Mix(_state);
    }

    /// <summary>A uniform integer in [<paramref name="min"/>, <paramref name="max"/>], both included.</summary>
    public int Between(int min, int max)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(min, max);
        ulong range = (ulong)((long)max - min + 1);
        return (int)(min + (long)(NextUInt64() % range)); // modulo bias < 2^-50 for these ranges
    }

    public T Pick<T>(IReadOnlyList<T> items) => items[Between(0, items.Count - 1)];

    public bool Coin() => (NextUInt64() & 1) == 0;

    /// <summary>SplitMix64's finaliser: a bijective scramble of 64 bits.</summary>
    public static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>FNV-1a over the UTF-16 code units, finalised by <see cref="Mix"/>: a stable string hash
    /// (<see cref="string.GetHashCode()"/> is randomised per process).</summary>
    public static ulong Hash(string text)
    {
        ulong h = 0xCBF29CE484222325UL;
        foreach (char c in text)
        {
            h ^= c;
            h *= 0x100000001B3UL;
        }
        return Mix(h);
    }
}
