using System.Text;

using Avocado.Models.Gguf;

namespace Avocado.Models.Tests.Gguf;

/// <summary>A tensor found in a GGUF file.</summary>
/// <param name="Shape">Row-major (PyTorch) order: the file's dims reversed.</param>
/// <param name="DataOffset">Absolute position of the first byte in the file.</param>
public sealed record GgufTensor(string Name, GgmlType Type, long[] Shape, long DataOffset, long ByteLength)
{
    public long[] GgufDims => [.. Shape.Reverse()];
}

/// <summary>
/// Reads the header, metadata and tensor infos of a GGUF v3 file (the layout <see cref="GgufWriter"/> documents) and
/// gives access to tensor bytes. Minimal by design: unquantized tensor types only; used to check what we write.
/// </summary>
public sealed class GgufReader : IDisposable
{
    private readonly FileStream _file;

    private GgufReader(FileStream file, uint version, IReadOnlyList<KeyValuePair<string, GgufValue>> metadata,
        IReadOnlyList<GgufTensor> tensors, uint alignment, long dataStart)
    {
        _file = file;
        Version = version;
        MetadataList = metadata;
        Metadata = metadata.ToDictionary(m => m.Key, m => m.Value, StringComparer.Ordinal);
        Tensors = tensors;
        Alignment = alignment;
        DataStart = dataStart;
    }

    public string Path => _file.Name;
    public uint Version { get; }
    public uint Alignment { get; }

    /// <summary>Where the data section starts (absolute).</summary>
    public long DataStart { get; }

    /// <summary>Metadata in file order.</summary>
    public IReadOnlyList<KeyValuePair<string, GgufValue>> MetadataList { get; }
    public IReadOnlyDictionary<string, GgufValue> Metadata { get; }

    /// <summary>Tensors in file order.</summary>
    public IReadOnlyList<GgufTensor> Tensors { get; }

    /// <exception cref="InvalidDataException">Not a GGUF v3 file, or its offsets do not follow the layout.</exception>
    public static GgufReader Open(string path)
    {
        var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        try
        {
            return Parse(file);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    public GgufTensor Tensor(string name) => Tensors.FirstOrDefault(t => t.Name == name)
        ?? throw new KeyNotFoundException($"{Path}: no tensor '{name}'");

    /// <summary>The metadata value of <paramref name="key"/> as <typeparamref name="T"/> (uint, float, string, bool[] …).</summary>
    public T Get<T>(string key) => Metadata.TryGetValue(key, out var v)
        ? v.As<T>()
        : throw new KeyNotFoundException($"{Path}: no metadata key '{key}'");

    public byte[] ReadBytes(GgufTensor tensor)
    {
        var bytes = new byte[tensor.ByteLength];
        _file.Position = tensor.DataOffset;
        _file.ReadExactly(bytes);
        return bytes;
    }

    /// <summary>A tensor's values widened to float (F32, F16 and BF16 tensors), row-major.</summary>
    public float[] ReadFloats(string name)
    {
        var t = Tensor(name);
        var bytes = ReadBytes(t);
        return t.Type switch
        {
            GgmlType.F32 => [.. System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(bytes)],
            GgmlType.F16 => [.. System.Runtime.InteropServices.MemoryMarshal.Cast<byte, Half>(bytes).ToArray().Select(h => (float)h)],
            GgmlType.BF16 => [.. System.Runtime.InteropServices.MemoryMarshal.Cast<byte, ushort>(bytes).ToArray().Select(b => BitConverter.Int32BitsToSingle(b << 16))],
            _ => throw new NotSupportedException($"{Path}: tensor '{name}' is {t.Type}, not a float type"),
        };
    }

    public void Dispose() => _file.Dispose();

    private static GgufReader Parse(FileStream file)
    {
        var r = new BinaryReader(file, Encoding.UTF8, leaveOpen: true);
        Span<byte> magic = stackalloc byte[4];
        r.BaseStream.ReadExactly(magic);
        if (!magic.SequenceEqual(GgufWriter.Magic))
        {
            throw new InvalidDataException($"{file.Name}: not a GGUF file (magic '{Encoding.ASCII.GetString(magic)}')");
        }
        var version = r.ReadUInt32();
        if (version != GgufWriter.Version)
        {
            throw new InvalidDataException($"{file.Name}: GGUF version {version}; only version {GgufWriter.Version} is read");
        }
        var tensorCount = r.ReadInt64();
        var kvCount = r.ReadInt64();
        var metadata = new List<KeyValuePair<string, GgufValue>>();
        for (long i = 0; i < kvCount; i++)
        {
            var key = ReadString(r);
            metadata.Add(new(key, ReadValue(r, (GgufValueType)r.ReadUInt32(), file.Name, key)));
        }
        var alignment = GgufWriter.AlignmentOf(metadata);

        var infos = new List<(string Name, long[] Dims, GgmlType Type, ulong Offset)>();
        for (long i = 0; i < tensorCount; i++)
        {
            var name = ReadString(r);
            var nDims = r.ReadUInt32();
            var dims = new long[nDims];
            for (var d = 0; d < nDims; d++)
            {
                dims[d] = r.ReadInt64();
            }
            infos.Add((name, dims, (GgmlType)r.ReadUInt32(), r.ReadUInt64()));
        }
        var dataStart = GgufWriter.Pad(file.Position, alignment);

        var tensors = new List<GgufTensor>();
        long expected = 0;
        foreach (var (name, dims, type, offset) in infos)
        {
            if ((long)offset != expected)
            {
                throw new InvalidDataException($"{file.Name}: tensor '{name}' has offset {offset}, the layout puts it at {expected}");
            }
            var shape = dims.Reverse().ToArray();
            var length = GgmlTypes.ByteLength(type, shape);
            if (dataStart + expected + length > file.Length)
            {
                throw new InvalidDataException($"{file.Name}: tensor '{name}' ends past the end of the file");
            }
            tensors.Add(new GgufTensor(name, type, shape, dataStart + expected, length));
            expected += GgufWriter.Pad(length, alignment);
        }
        return new GgufReader(file, version, metadata, tensors, alignment, dataStart);
    }

    private static string ReadString(BinaryReader r)
    {
        var length = r.ReadUInt64();
        return Encoding.UTF8.GetString(r.ReadBytes(checked((int)length)));
    }

    private static GgufValue ReadValue(BinaryReader r, GgufValueType type, string file, string key)
    {
        if (type != GgufValueType.Array)
        {
            return Scalar(r, type, file, key);
        }
        var elementType = (GgufValueType)r.ReadUInt32();
        var count = checked((int)r.ReadUInt64());
        Array items = elementType switch
        {
            GgufValueType.UInt8 => r.ReadBytes(count),
            GgufValueType.Int8 => Read(count, () => r.ReadSByte()),
            GgufValueType.UInt16 => Read(count, r.ReadUInt16),
            GgufValueType.Int16 => Read(count, r.ReadInt16),
            GgufValueType.UInt32 => Read(count, r.ReadUInt32),
            GgufValueType.Int32 => Read(count, r.ReadInt32),
            GgufValueType.Float32 => Read(count, r.ReadSingle),
            GgufValueType.Bool => Read(count, () => r.ReadByte() != 0),
            GgufValueType.String => Read(count, () => ReadString(r)),
            GgufValueType.UInt64 => Read(count, r.ReadUInt64),
            GgufValueType.Int64 => Read(count, r.ReadInt64),
            GgufValueType.Float64 => Read(count, r.ReadDouble),
            _ => throw new InvalidDataException($"{file}: metadata '{key}' is an array of {elementType}, which is not supported"),
        };
        return GgufValue.Array(items);
    }

    private static T[] Read<T>(int count, Func<T> next)
    {
        var items = new T[count];
        for (var i = 0; i < count; i++)
        {
            items[i] = next();
        }
        return items;
    }

    private static GgufValue Scalar(BinaryReader r, GgufValueType type, string file, string key) => type switch
    {
        GgufValueType.UInt8 => GgufValue.U8(r.ReadByte()),
        GgufValueType.Int8 => GgufValue.I8(r.ReadSByte()),
        GgufValueType.UInt16 => GgufValue.U16(r.ReadUInt16()),
        GgufValueType.Int16 => GgufValue.I16(r.ReadInt16()),
        GgufValueType.UInt32 => GgufValue.U32(r.ReadUInt32()),
        GgufValueType.Int32 => GgufValue.I32(r.ReadInt32()),
        GgufValueType.Float32 => GgufValue.F32(r.ReadSingle()),
        GgufValueType.Bool => GgufValue.Bool(r.ReadByte() != 0),
        GgufValueType.String => GgufValue.String(ReadString(r)),
        GgufValueType.UInt64 => GgufValue.U64(r.ReadUInt64()),
        GgufValueType.Int64 => GgufValue.I64(r.ReadInt64()),
        GgufValueType.Float64 => GgufValue.F64(r.ReadDouble()),
        _ => throw new InvalidDataException($"{file}: metadata '{key}' has unknown value type {(uint)type}"),
    };
}
