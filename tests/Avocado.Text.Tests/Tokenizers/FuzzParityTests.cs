namespace Avocado.Text.Tests.Tokenizers;

/// <summary>Random text (fixed seeds) against the references, to reach pre-tokenizer states a hand-written corpus misses.</summary>
public class FuzzParityTests
{
    [Theory]
    [MemberData(nameof(Teachers.All), MemberType = typeof(Teachers))]
    public void Random_text_matches_the_references(string name)
    {
        var tokenizer = Teachers.Get(name);
        var texts = FuzzText.Generate(seed: 2024, count: 1500);
        var (rust, js) = Teachers.References(name);
        foreach (bool parseSpecial in new[] { true, false })
        {
            var r = Reference.Encode(rust, texts, parseSpecial);
            var j = Reference.Encode(js, texts, parseSpecial);
            for (int i = 0; i < texts.Count; i++)
            {
                var ids = tokenizer.Encode(texts[i], parseSpecial);
                Assert.True(ids.SequenceEqual(r.Ids[i]), $"{rust} text #{i} {System.Text.Json.JsonSerializer.Serialize(texts[i])}: {Reference.Diff(r.Ids[i], ids)}");
                Assert.True(ids.SequenceEqual(j.Ids[i]), $"{js} text #{i} {System.Text.Json.JsonSerializer.Serialize(texts[i])}: {Reference.Diff(j.Ids[i], ids)}");
                Assert.Equal(r.Decoded[i], tokenizer.Decode(ids));
            }
        }
    }
}
