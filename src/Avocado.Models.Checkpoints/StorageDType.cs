namespace Avocado.Models.Checkpoints;

/// <summary>
/// Element types a safetensors file can hold that this project reads and writes; their header
/// spellings are "F64", "F32", "F16", "BF16", "I64", "I32", "I16", "I8", "U8" and "BOOL".
/// </summary>
public enum StorageDType
{
    F64,
    F32,
    F16,
    BF16,
    I64,
    I32,
    I16,
    I8,
    U8,
    Bool,
}
