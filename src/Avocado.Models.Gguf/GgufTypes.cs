using System.Runtime.CompilerServices;

[assembly: InternalsVisibleTo("Avocado.Models.Tests")]

namespace Avocado.Models.Gguf;

/// <summary>Type tags of GGUF metadata values (ggml <c>gguf.h</c>, <c>enum gguf_type</c>); the numbers are on disk.</summary>
public enum GgufValueType : uint
{
    UInt8 = 0,
    Int8 = 1,
    UInt16 = 2,
    Int16 = 3,
    UInt32 = 4,
    Int32 = 5,
    Float32 = 6,
    Bool = 7,
    String = 8,
    Array = 9,
    UInt64 = 10,
    Int64 = 11,
    Float64 = 12,
}

/// <summary>Element types of GGUF tensors (ggml <c>enum ggml_type</c>); only the unquantized ones this project
/// writes or reads. The numbers are on disk.</summary>
public enum GgmlType : uint
{
    F32 = 0,
    F16 = 1,
    I8 = 24,
    I16 = 25,
    I32 = 26,
    I64 = 27,
    F64 = 28,
    BF16 = 30,
}

public static class GgmlTypes
{
    /// <summary>Bytes per element (every type here has one-element blocks).</summary>
    public static int ElementSize(GgmlType type) => type switch
    {
        GgmlType.I8 => 1,
        GgmlType.F16 or GgmlType.BF16 or GgmlType.I16 => 2,
        GgmlType.F32 or GgmlType.I32 => 4,
        GgmlType.I64 or GgmlType.F64 => 8,
        _ => throw new NotSupportedException($"ggml tensor type {(uint)type} is not supported (only unquantized types are)"),
    };

    /// <summary>Data bytes of a tensor of <paramref name="shape"/>, before alignment padding.</summary>
    public static long ByteLength(GgmlType type, IReadOnlyList<long> shape)
    {
        long n = 1;
        foreach (var d in shape)
        {
            n = checked(n * d);
        }
        return checked(n * ElementSize(type));
    }
}

/// <summary>One tensor of a GGUF file as the writer is told about it.</summary>
/// <param name="Shape">Row-major (PyTorch) order, outermost first. GGUF stores the dims the other way round
/// (ggml's <c>ne[0]</c> is the innermost, contiguous one), so <c>[out, in]</c> here is <c>{in, out}</c> on disk.</param>
public sealed record GgufTensorInfo(string Name, GgmlType Type, long[] Shape)
{
    public long ByteLength => GgmlTypes.ByteLength(Type, Shape);

    /// <summary>The dims as GGUF stores them (ggml <c>ne</c> order).</summary>
    public long[] GgufDims => [.. Shape.Reverse()];
}

/// <summary>A typed GGUF metadata value: a scalar, a string, or an array of one of those.</summary>
/// <remarks><see cref="Value"/> holds the CLR value: byte, sbyte, ushort, short, uint, int, float, bool, string, ulong,
/// long or double for scalars; for arrays the matching CLR array (uint[], string[], bool[] …).</remarks>
public sealed class GgufValue
{
    private GgufValue(GgufValueType type, object value, GgufValueType? elementType = null)
    {
        Type = type;
        Value = value;
        ElementType = elementType;
    }

    public GgufValueType Type { get; }

    /// <summary>For arrays, the type of every element; null otherwise.</summary>
    public GgufValueType? ElementType { get; }

    public object Value { get; }

    public static GgufValue U8(byte v) => new(GgufValueType.UInt8, v);
    public static GgufValue I8(sbyte v) => new(GgufValueType.Int8, v);
    public static GgufValue U16(ushort v) => new(GgufValueType.UInt16, v);
    public static GgufValue I16(short v) => new(GgufValueType.Int16, v);
    public static GgufValue U32(uint v) => new(GgufValueType.UInt32, v);
    public static GgufValue I32(int v) => new(GgufValueType.Int32, v);
    public static GgufValue F32(float v) => new(GgufValueType.Float32, v);
    public static GgufValue Bool(bool v) => new(GgufValueType.Bool, v);
    public static GgufValue String(string v) => new(GgufValueType.String, v);
    public static GgufValue U64(ulong v) => new(GgufValueType.UInt64, v);
    public static GgufValue I64(long v) => new(GgufValueType.Int64, v);
    public static GgufValue F64(double v) => new(GgufValueType.Float64, v);

    /// <summary>An array; the element type follows from the CLR array type (e.g. <c>uint[]</c> → UInt32).</summary>
    public static GgufValue Array(System.Array items) => new(GgufValueType.Array, items, ElementTypeOf(items));

    /// <summary>The value as a scalar of type <typeparamref name="T"/>; throws naming both types when it is not one.</summary>
    public T As<T>() => Value.GetType() == typeof(T) // exact: int[] would otherwise pass as uint[]
        ? (T)Value
        : throw new InvalidCastException($"GGUF value of type {Describe()} is not a {typeof(T).Name}");

    public string Describe() => Type == GgufValueType.Array ? $"array of {ElementType}" : Type.ToString();

    public override string ToString() => Value is System.Array a
        ? $"[{string.Join(", ", a.Cast<object>().Take(8))}{(a.Length > 8 ? $", … ({a.Length} items)" : "")}]"
        : Value.ToString() ?? "";

    /// <summary>By the exact element type: the CLR lets an int[] pass as a uint[] (and sbyte[] as byte[] …) in type tests.</summary>
    internal static GgufValueType ElementTypeOf(System.Array items)
    {
        var t = items.GetType().GetElementType();
        return t == typeof(byte) ? GgufValueType.UInt8
            : t == typeof(sbyte) ? GgufValueType.Int8
            : t == typeof(ushort) ? GgufValueType.UInt16
            : t == typeof(short) ? GgufValueType.Int16
            : t == typeof(uint) ? GgufValueType.UInt32
            : t == typeof(int) ? GgufValueType.Int32
            : t == typeof(float) ? GgufValueType.Float32
            : t == typeof(bool) ? GgufValueType.Bool
            : t == typeof(string) ? GgufValueType.String
            : t == typeof(ulong) ? GgufValueType.UInt64
            : t == typeof(long) ? GgufValueType.Int64
            : t == typeof(double) ? GgufValueType.Float64
            : throw new ArgumentException($"GGUF arrays hold numbers, bools or strings, not {items.GetType().Name}");
    }
}
