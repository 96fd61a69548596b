using TorchSharp;

namespace Avocado.Models.Checkpoints;

/// <summary>The chunking that tensors over 2 GiB go through, driven with a tiny chunk size.</summary>
public sealed class TensorChunksTests
{
    [Fact]
    public void ChunksCoverTheTensorInOrderAtTheirByteOffsets()
    {
        using var tensor = torch.arange(10, torch.ScalarType.Int32).reshape(2, 5);
        var expected = tensor.bytes.ToArray();
        var offsets = new List<long>();
        var seen = new List<byte>();

        foreach (var (offset, slice) in TensorChunks.Of(tensor, maxChunkBytes: 12))
        {
            using (slice)
            {
                offsets.Add(offset);
                Assert.Equal(offset, seen.Count);
                seen.AddRange(slice.bytes.ToArray());
            }
        }

        Assert.Equal([0L, 12L, 24L, 36L], offsets);
        Assert.Equal(expected, seen);
    }

    [Fact]
    public void WritingThroughChunksFillsTheTensorItself()
    {
        using var tensor = torch.zeros(3, 3, torch.ScalarType.Int16);

        foreach (var (offset, slice) in TensorChunks.Of(tensor, maxChunkBytes: 4))
        {
            using (slice)
            {
                var span = slice.bytes;
                for (var i = 0; i < span.Length; i++)
                {
                    span[i] = (byte)(offset + i);
                }
            }
        }

        Assert.Equal(Enumerable.Range(0, 18).Select(i => (byte)i), tensor.bytes.ToArray());
    }

    [Fact]
    public void EmptyTensorHasNoChunks()
    {
        using var tensor = torch.zeros(4, 0);

        Assert.Empty(TensorChunks.Of(tensor));
    }
}
