using TorchSharp;

namespace Avocado.Models.Checkpoints;

/// <summary>A tensor to write, with what its header entry needs; collecting them all first validates before any file is touched.</summary>
internal readonly record struct WritableTensor(string Name, torch.Tensor Tensor, StorageDType DType, long[] Shape, long ByteLength)
{
    public static List<WritableTensor> Collect(IEnumerable<KeyValuePair<string, torch.Tensor>> tensors)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        var result = new List<WritableTensor>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (name, tensor) in tensors)
        {
            if (name is null || tensor is null)
            {
                throw new ArgumentException("a tensor or its name is null", nameof(tensors));
            }
            if (name == SafetensorsHeader.MetadataKey)
            {
                throw new ArgumentException($"'{name}' is reserved for the header's metadata", nameof(tensors));
            }
            if (!seen.Add(name))
            {
                throw new ArgumentException($"tensor '{name}' is given twice", nameof(tensors));
            }
            if (tensor.is_sparse)
            {
                throw new ArgumentException($"tensor '{name}' is sparse; safetensors stores dense tensors", nameof(tensors));
            }
            StorageDType dtype;
            try
            {
                dtype = StorageDTypes.FromTorch(tensor.dtype);
            }
            catch (NotSupportedException e)
            {
                throw new ArgumentException($"tensor '{name}': {e.Message}", nameof(tensors), e);
            }
            result.Add(new WritableTensor(name, tensor, dtype, tensor.shape, tensor.numel() * StorageDTypes.ElementSize(dtype)));
        }
        return result;
    }
}
