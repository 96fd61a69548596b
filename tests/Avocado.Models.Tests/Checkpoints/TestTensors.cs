using TorchSharp;

namespace Avocado.Models.Checkpoints;

internal static class TestTensors
{
    /// <summary>Random bit patterns (NaNs with payloads, subnormals, ...) so a round trip is checked bit for bit, not by value.</summary>
    public static torch.Tensor RandomTensor(StorageDType dtype, long[] shape, int seed)
    {
        var tensor = torch.empty(shape, StorageDTypes.ToTorch(dtype));
        var bytes = new byte[tensor.numel() * StorageDTypes.ElementSize(dtype)];
        if (bytes.Length == 0)
        {
            return tensor;
        }
        new Random(seed).NextBytes(bytes);
        if (dtype == StorageDType.Bool)
        {
            // A bool byte other than 0 or 1 is undefined behaviour in torch.
            for (var i = 0; i < bytes.Length; i++)
            {
                bytes[i] &= 1;
            }
        }
        tensor.bytes = bytes;
        return tensor;
    }

    public static byte[] Bytes(torch.Tensor tensor)
    {
        using var dense = tensor.contiguous();
        return dense.numel() == 0 ? [] : dense.bytes.ToArray();
    }

    public static KeyValuePair<string, torch.Tensor> Named(string name, torch.Tensor tensor) => new(name, tensor);
}
