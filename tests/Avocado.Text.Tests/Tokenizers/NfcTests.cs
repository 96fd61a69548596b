using System.Text;
using Avocado.Text.Tokenizers.Unicode;

namespace Avocado.Text.Tests.Tokenizers;

/// <summary>Our NFC (needed because string.Normalize does nothing under InvariantGlobalization) against node's.</summary>
public class NfcTests
{
    private static List<string> Samples()
    {
        var samples = new List<string>();
        var interesting = new SortedSet<int>();
        foreach (int cp in NfcData.CccKeys) interesting.Add(cp);
        foreach (int cp in NfcData.DecompositionKeys) interesting.Add(cp);
        foreach (int cp in NfcData.UnsafeCodePoints) interesting.Add(cp);
        foreach (int cp in interesting) samples.Add(char.ConvertFromUtf32(cp));
        var triples = NfcData.CompositionTriples;
        for (int k = 0; k < triples.Length; k += 3)
            samples.Add(char.ConvertFromUtf32(triples[k]) + char.ConvertFromUtf32(triples[k + 1]));
        var marks = NfcData.CccKeys.ToArray();
        var decomposable = NfcData.DecompositionKeys.ToArray();
        var random = new Random(5);
        string[] bases = ["a", "e", "o", "u", "A", "O", "s", "ω", "α", "и", "ᄀ", "ᅡ", "ᆨ", "가", "각", "क", "ק", "x", " "];
        for (int i = 0; i < 4000; i++)
        {
            var sb = new StringBuilder();
            int n = random.Next(1, 9);
            for (int k = 0; k < n; k++)
            {
                int r = random.Next(10);
                sb.Append(r < 4 ? char.ConvertFromUtf32(marks[random.Next(marks.Length)])
                    : r < 7 ? bases[random.Next(bases.Length)]
                    : char.ConvertFromUtf32(decomposable[random.Next(decomposable.Length)]));
            }
            samples.Add(sb.ToString());
        }
        return samples;
    }

    [Fact]
    public void Matches_node_String_normalize_NFC()
    {
        var samples = Samples();
        var expected = Reference.Nfc(samples);
        var failures = new List<string>();
        for (int i = 0; i < samples.Count; i++)
        {
            string actual = Nfc.Normalize(samples[i]);
            if (actual != expected[i])
                failures.Add($"{Hex(samples[i])}: expected {Hex(expected[i])}, got {Hex(actual)}");
        }
        Assert.True(failures.Count == 0, $"{failures.Count} of {samples.Count} differ:\n" + string.Join("\n", failures.Take(40)));
    }

    [Fact]
    public void Alignment_maps_every_output_character_into_the_input()
    {
        foreach (string s in Samples())
        {
            string? normalized = Nfc.Normalize(s, out var start, out var end);
            if (normalized is null) continue;
            Assert.Equal(normalized.Length, start!.Length);
            for (int k = 0; k < normalized.Length; k++)
            {
                Assert.InRange(start[k], 0, s.Length);
                Assert.InRange(end![k], start[k], s.Length);
                if (k > 0) Assert.True(start[k] >= start[k - 1]);
            }
        }
    }

    [Fact]
    public void Already_normalized_text_is_returned_without_a_copy()
    {
        Assert.Null(Nfc.Normalize("plain ASCII and café and 中文 and 😀", out _, out _));
        Assert.Equal("é", Nfc.Normalize("e\u0301"));
        Assert.Equal("\uAC01", Nfc.Normalize("\u1100\u1161\u11A8"));
        Assert.Equal("\u1EA1\u0301", Nfc.Normalize("a\u0301\u0323")); // reordered by combining class, then composed
    }

    private static string Hex(string s) => string.Join(" ", s.EnumerateRunes().Select(r => $"U+{r.Value:X4}"));
}
