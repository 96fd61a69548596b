namespace Avocado.Models.Checkpoints;

/// <summary>Where one tensor's bytes lie: <paramref name="DataOffset"/> is absolute within <paramref name="FilePath"/>.</summary>
public sealed record TensorEntry(string Name, StorageDType DType, long[] Shape, string FilePath, long DataOffset, long ByteLength);
