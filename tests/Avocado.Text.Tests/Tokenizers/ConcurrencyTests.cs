namespace Avocado.Text.Tests.Tokenizers;

public class ConcurrencyTests
{
    [Theory]
    [MemberData(nameof(Teachers.All), MemberType = typeof(Teachers))]
    public void One_instance_encodes_the_same_from_many_threads(string name)
    {
        var tokenizer = Teachers.Get(name);
        var texts = Corpus.Texts.Concat(FuzzText.Generate(seed: 99, count: 300)).ToArray();
        var expected = texts.Select(t => tokenizer.Encode(t).ToArray()).ToArray();
        var failures = new System.Collections.Concurrent.ConcurrentBag<int>();
        Parallel.For(0, texts.Length * 4, new ParallelOptions { MaxDegreeOfParallelism = 8 }, k =>
        {
            int i = (k * 7919) % texts.Length;
            if (!tokenizer.Encode(texts[i]).SequenceEqual(expected[i])) failures.Add(i);
        });
        Assert.Empty(failures);
    }
}
