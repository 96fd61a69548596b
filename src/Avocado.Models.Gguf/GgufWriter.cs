using System.Text;

namespace Avocado.Models.Gguf;

// Ours: no maintained .NET GGUF writer exists; checked by llama.cpp itself reading our exports (tests/parity).

/// <summary>
/// Writes a GGUF v3 file (ggml's <c>docs/gguf.md</c>, <c>ggml/src/gguf.cpp</c>) in two steps, so tensor data can be
/// streamed and a model never sits in memory twice: <see cref="WriteHeader"/> takes the metadata and every tensor's
/// name, type and shape; <see cref="WriteTensorBytes"/> then takes the tensors' bytes in that order, in as many
/// pieces as the caller likes; <see cref="Finish"/> checks that all arrived.
/// </summary>
/// <remarks>
/// Layout, all little-endian: magic <c>GGUF</c>, u32 version 3, i64 tensor count, i64 metadata count; each metadata
/// pair (string key, u32 type, value); each tensor info (string name, u32 n_dims, i64 dims innermost first, u32 ggml
/// type, u64 offset); zero padding to the alignment; the data section. A string is a u64 byte length and UTF-8 bytes
/// (no terminator); an array is a u32 element type, a u64 count and the elements. Tensor offsets are relative to the
/// data section and each is the previous one plus its size rounded up to the alignment, which llama.cpp checks
/// exactly; the alignment is <c>general.alignment</c> (u32, a power of two) or 32.
/// </remarks>
public sealed class GgufWriter : IDisposable
{
    public const uint Version = 3;
    public const uint DefaultAlignment = 32;
    public static ReadOnlySpan<byte> Magic => "GGUF"u8;
    public const string AlignmentKey = "general.alignment";

    private readonly BinaryWriter _out;
    private readonly long _origin; // where the file starts in the stream: alignment is relative to it
    private IReadOnlyList<GgufTensorInfo>? _tensors;
    private uint _alignment;
    private int _tensor;          // index of the tensor whose bytes come next
    private long _tensorWritten;  // bytes of it written so far

    /// <param name="output">A seekable stream (a file): padding is computed from its position.</param>
    public GgufWriter(Stream output, bool leaveOpen = false)
    {
        if (!output.CanSeek)
        {
            throw new ArgumentException("GgufWriter needs a seekable stream", nameof(output));
        }
        _origin = output.Position;
        _out = new BinaryWriter(output, Encoding.UTF8, leaveOpen);
    }

    /// <summary>Writes everything up to the data section.</summary>
    /// <exception cref="ArgumentException">Duplicate keys or tensor names, or a bad <c>general.alignment</c>.</exception>
    public void WriteHeader(IReadOnlyList<KeyValuePair<string, GgufValue>> metadata, IReadOnlyList<GgufTensorInfo> tensors)
    {
        if (_tensors is not null)
        {
            throw new InvalidOperationException("the GGUF header was already written");
        }
        _alignment = AlignmentOf(metadata);
        ThrowOnDuplicates(metadata.Select(m => m.Key), "metadata key");
        ThrowOnDuplicates(tensors.Select(t => t.Name), "tensor name");

        _out.Write(Magic);
        _out.Write(Version);
        _out.Write((long)tensors.Count);
        _out.Write((long)metadata.Count);
        foreach (var (key, value) in metadata)
        {
            WriteString(key);
            _out.Write((uint)value.Type);
            WriteValue(value);
        }
        long offset = 0;
        foreach (var t in tensors)
        {
            WriteString(t.Name);
            _out.Write((uint)t.Shape.Length);
            foreach (var d in t.GgufDims)
            {
                _out.Write(d);
            }
            _out.Write((uint)t.Type);
            _out.Write((ulong)offset);
            offset += Pad(t.ByteLength, _alignment);
        }
        WritePadding();
        _tensors = tensors;
        SkipEmptyTensors();
    }

    /// <summary>Appends data bytes: they fill the tensors in header order, and a piece may span tensors.
    /// Padding follows each tensor as soon as it is complete.</summary>
    public void WriteTensorBytes(ReadOnlySpan<byte> bytes)
    {
        var tensors = _tensors ?? throw new InvalidOperationException("write the GGUF header before tensor data");
        while (!bytes.IsEmpty)
        {
            if (_tensor >= tensors.Count)
            {
                throw new InvalidOperationException($"{bytes.Length} bytes more than the tensors declared in the header hold");
            }
            var take = (int)Math.Min(bytes.Length, tensors[_tensor].ByteLength - _tensorWritten);
            _out.Write(bytes[..take]);
            bytes = bytes[take..];
            _tensorWritten += take;
            SkipEmptyTensors();
        }
    }

    /// <summary>Checks that every declared tensor got all its bytes and flushes.</summary>
    public void Finish()
    {
        var tensors = _tensors ?? throw new InvalidOperationException("the GGUF header was never written");
        if (_tensor < tensors.Count)
        {
            var t = tensors[_tensor];
            throw new InvalidOperationException(
                $"tensor '{t.Name}' got {_tensorWritten} of its {t.ByteLength} bytes ({tensors.Count - _tensor - 1} tensors after it got none)");
        }
        _out.Flush();
    }

    public void Dispose() => _out.Dispose();

    /// <summary><paramref name="n"/> rounded up to a multiple of <paramref name="alignment"/>.</summary>
    public static long Pad(long n, long alignment) => (n + alignment - 1) / alignment * alignment;

    internal static uint AlignmentOf(IEnumerable<KeyValuePair<string, GgufValue>> metadata)
    {
        var entry = metadata.FirstOrDefault(m => m.Key == AlignmentKey);
        if (entry.Value is null)
        {
            return DefaultAlignment;
        }
        if (entry.Value.Value is not uint a || a == 0 || (a & (a - 1)) != 0)
        {
            throw new ArgumentException($"{AlignmentKey} must be a UInt32 power of two, got {entry.Value.Describe()} {entry.Value}");
        }
        return a;
    }

    /// <summary>Moves past completed tensors (and zero-sized ones), padding after each.</summary>
    private void SkipEmptyTensors()
    {
        while (_tensor < _tensors!.Count && _tensorWritten == _tensors[_tensor].ByteLength)
        {
            WritePadding();
            _tensor++;
            _tensorWritten = 0;
        }
    }

    private void WritePadding()
    {
        var position = _out.BaseStream.Position - _origin; // BaseStream flushes the writer first
        for (var i = position; i < Pad(position, _alignment); i++)
        {
            _out.Write((byte)0);
        }
    }

    private void WriteString(string s)
    {
        var bytes = Encoding.UTF8.GetBytes(s);
        _out.Write((ulong)bytes.Length);
        _out.Write(bytes);
    }

    private void WriteValue(GgufValue value)
    {
        if (value.Type != GgufValueType.Array)
        {
            WriteScalar(value.Type, value.Value);
            return;
        }
        var items = (Array)value.Value;
        _out.Write((uint)value.ElementType!.Value);
        _out.Write((ulong)items.Length);
        foreach (var item in items)
        {
            WriteScalar(value.ElementType.Value, item!);
        }
    }

    private void WriteScalar(GgufValueType type, object v)
    {
        switch (type)
        {
            case GgufValueType.UInt8: _out.Write((byte)v); break;
            case GgufValueType.Int8: _out.Write((sbyte)v); break;
            case GgufValueType.UInt16: _out.Write((ushort)v); break;
            case GgufValueType.Int16: _out.Write((short)v); break;
            case GgufValueType.UInt32: _out.Write((uint)v); break;
            case GgufValueType.Int32: _out.Write((int)v); break;
            case GgufValueType.Float32: _out.Write((float)v); break;
            case GgufValueType.Bool: _out.Write((bool)v ? (byte)1 : (byte)0); break;
            case GgufValueType.String: WriteString((string)v); break;
            case GgufValueType.UInt64: _out.Write((ulong)v); break;
            case GgufValueType.Int64: _out.Write((long)v); break;
            case GgufValueType.Float64: _out.Write((double)v); break;
            default: throw new NotSupportedException($"GGUF value type {type} cannot be written as a scalar (nested arrays are not supported)");
        }
    }

    private static void ThrowOnDuplicates(IEnumerable<string> names, string what)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var n in names)
        {
            if (!seen.Add(n))
            {
                throw new ArgumentException($"duplicate GGUF {what} '{n}'");
            }
        }
    }
}
