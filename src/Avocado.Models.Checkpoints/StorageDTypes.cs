using TorchSharp;

namespace Avocado.Models.Checkpoints;

/// <summary>Maps safetensors element types to torch's and to their header spellings.</summary>
public static class StorageDTypes
{
    public static torch.ScalarType ToTorch(StorageDType t) => t switch
    {
        StorageDType.F64 => torch.ScalarType.Float64,
        StorageDType.F32 => torch.ScalarType.Float32,
        StorageDType.F16 => torch.ScalarType.Float16,
        StorageDType.BF16 => torch.ScalarType.BFloat16,
        StorageDType.I64 => torch.ScalarType.Int64,
        StorageDType.I32 => torch.ScalarType.Int32,
        StorageDType.I16 => torch.ScalarType.Int16,
        StorageDType.I8 => torch.ScalarType.Int8,
        StorageDType.U8 => torch.ScalarType.Byte,
        StorageDType.Bool => torch.ScalarType.Bool,
        _ => throw new ArgumentOutOfRangeException(nameof(t), t, "not a StorageDType"),
    };

    /// <exception cref="NotSupportedException">For complex and quantized torch types, which have no storage type here.</exception>
    public static StorageDType FromTorch(torch.ScalarType t) => t switch
    {
        torch.ScalarType.Float64 => StorageDType.F64,
        torch.ScalarType.Float32 => StorageDType.F32,
        torch.ScalarType.Float16 => StorageDType.F16,
        torch.ScalarType.BFloat16 => StorageDType.BF16,
        torch.ScalarType.Int64 => StorageDType.I64,
        torch.ScalarType.Int32 => StorageDType.I32,
        torch.ScalarType.Int16 => StorageDType.I16,
        torch.ScalarType.Int8 => StorageDType.I8,
        torch.ScalarType.Byte => StorageDType.U8,
        torch.ScalarType.Bool => StorageDType.Bool,
        _ => throw new NotSupportedException($"torch dtype {t} cannot be stored in a safetensors checkpoint by this project"),
    };

    public static int ElementSize(StorageDType t) => t switch
    {
        StorageDType.F64 or StorageDType.I64 => 8,
        StorageDType.F32 or StorageDType.I32 => 4,
        StorageDType.F16 or StorageDType.BF16 or StorageDType.I16 => 2,
        StorageDType.I8 or StorageDType.U8 or StorageDType.Bool => 1,
        _ => throw new ArgumentOutOfRangeException(nameof(t), t, "not a StorageDType"),
    };

    /// <summary>The spelling in a safetensors header; only BOOL differs from the enum name.</summary>
    public static string ToHeaderName(StorageDType t) => t == StorageDType.Bool ? "BOOL" : t.ToString();

    /// <summary>Parses a header dtype; the spelling is case-sensitive, as in the reference implementation.</summary>
    /// <param name="filePath">The file being read, named in the error.</param>
    /// <param name="tensorName">The tensor being read, named in the error.</param>
    public static StorageDType Parse(string headerName, string filePath, string? tensorName = null)
    {
        foreach (var t in Enum.GetValues<StorageDType>())
        {
            if (string.Equals(ToHeaderName(t), headerName, StringComparison.Ordinal))
            {
                return t;
            }
        }
        var supported = string.Join(", ", Enum.GetValues<StorageDType>().Select(ToHeaderName));
        throw new CheckpointFormatException(filePath, $"unsupported dtype '{headerName}' (supported: {supported})", tensorName);
    }
}
