using TorchSharp;

namespace Avocado.Models.Checkpoints;

/// <summary>
/// Visits a contiguous CPU tensor's storage as byte spans. TorchSharp's <c>Tensor.bytes</c> is an int-indexed
/// <see cref="Span{T}"/>, so a tensor over 2 GiB (a large vocabulary embedding, say) is visited through slices
/// of a flat view; each slice aliases the tensor's memory, so spans of it read and write the tensor in place.
/// </summary>
internal static class TensorChunks
{
    internal const long DefaultMaxChunkBytes = 1L << 30;

    /// <summary>Yields each slice with its byte offset in the tensor; the caller disposes the slice.</summary>
    public static IEnumerable<(long ByteOffset, torch.Tensor Slice)> Of(torch.Tensor contiguousCpu, long maxChunkBytes = DefaultMaxChunkBytes)
    {
        var count = contiguousCpu.numel();
        if (count == 0)
        {
            yield break;
        }
        var elementSize = contiguousCpu.element_size();
        var perChunk = Math.Max(1, maxChunkBytes / elementSize);
        // view, unlike reshape, never copies: writing through a copy would silently lose what is read into it.
        using var flat = contiguousCpu.view(-1);
        for (long start = 0; start < count; start += perChunk)
        {
            yield return (start * elementSize, flat.narrow(0, start, Math.Min(perChunk, count - start)));
        }
    }
}
