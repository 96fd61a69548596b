using System.Buffers;
using System.Buffers.Binary;
using System.Text.Encodings.Web;
using System.Text.Json;
using TorchSharp;

namespace Avocado.Models.Checkpoints;

/// <summary>
/// One safetensors file to write: the header is built from dtypes and shapes alone, then the data is
/// streamed tensor by tensor, so writing never holds more than one tensor's CPU copy beyond the caller's own.
/// </summary>
internal sealed class SafetensorsLayout
{
    private const int LengthPrefixBytes = sizeof(ulong);

    private readonly byte[] _header;
    private readonly List<WritableTensor> _inFileOrder;

    private SafetensorsLayout(byte[] header, List<WritableTensor> inFileOrder)
    {
        _header = header;
        _inFileOrder = inFileOrder;
    }

    public long FileLength => LengthPrefixBytes + _header.Length + _inFileOrder.Sum(t => t.ByteLength);

    public static SafetensorsLayout Plan(IEnumerable<WritableTensor> tensors, IReadOnlyDictionary<string, string> metadata)
    {
        // Largest elements first, as the reference writer orders them: the data starts 8-byte aligned, so every
        // tensor then starts at a multiple of its element size, which readers that use tensors in place need.
        // The sort is stable, so the caller's order survives among tensors of one element size.
        var inFileOrder = tensors.OrderByDescending(t => StorageDTypes.ElementSize(t.DType)).ToList();
        var json = new ArrayBufferWriter<byte>();
        // Relaxed escaping keeps names such as "a+b" or non-ASCII ones readable; the output is still valid JSON.
        using (var writer = new Utf8JsonWriter(json, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            writer.WriteStartObject();
            if (metadata.Count > 0)
            {
                writer.WriteStartObject(SafetensorsHeader.MetadataKey);
                foreach (var (key, value) in metadata)
                {
                    writer.WriteString(key, value);
                }
                writer.WriteEndObject();
            }
            long offset = 0;
            foreach (var t in inFileOrder)
            {
                writer.WriteStartObject(t.Name);
                writer.WriteString("dtype", StorageDTypes.ToHeaderName(t.DType));
                WriteArray(writer, "shape", t.Shape);
                WriteArray(writer, "data_offsets", [offset, offset + t.ByteLength]);
                writer.WriteEndObject();
                offset += t.ByteLength;
            }
            writer.WriteEndObject();
        }

        // Trailing spaces are JSON whitespace; they align the data start to 8 bytes, as the reference writer does.
        var header = new byte[(json.WrittenCount + 7) / 8 * 8];
        json.WrittenSpan.CopyTo(header);
        header.AsSpan(json.WrittenCount).Fill((byte)' ');
        if (header.Length > SafetensorsHeader.MaxHeaderBytes)
        {
            throw new ArgumentException($"the header would be {header.Length} bytes, over the {SafetensorsHeader.MaxHeaderBytes}-byte limit readers enforce", nameof(tensors));
        }
        return new SafetensorsLayout(header, inFileOrder);
    }

    public void WriteTo(Stream stream)
    {
        Span<byte> prefix = stackalloc byte[LengthPrefixBytes];
        BinaryPrimitives.WriteUInt64LittleEndian(prefix, (ulong)_header.Length);
        stream.Write(prefix);
        stream.Write(_header);
        foreach (var t in _inFileOrder)
        {
            WriteData(stream, t.Tensor);
        }
    }

    private static void WriteData(Stream stream, torch.Tensor tensor)
    {
        // The scope frees the CPU and contiguous copies made here, one tensor at a time, but not the caller's
        // tensor, which was created outside it (cpu() and contiguous() may hand it back unchanged).
        using var scope = torch.NewDisposeScope();
        var dense = tensor.cpu().contiguous();
        foreach (var (_, slice) in TensorChunks.Of(dense))
        {
            using (slice)
            {
                stream.Write(slice.bytes);
            }
        }
    }

    private static void WriteArray(Utf8JsonWriter writer, string name, ReadOnlySpan<long> values)
    {
        writer.WriteStartArray(name);
        foreach (var value in values)
        {
            writer.WriteNumberValue(value);
        }
        writer.WriteEndArray();
    }
}
