using System.Buffers.Binary;
using System.Collections.ObjectModel;
using System.Text.Json;
using System.Text.Unicode;
using Microsoft.Win32.SafeHandles;

namespace Avocado.Models.Checkpoints;

/// <summary>
/// Reads and validates a safetensors header as strictly as the reference implementation
/// (huggingface/safetensors <c>Metadata::validate</c>): tensors must tile the data region exactly, with no gap,
/// overlap or trailing bytes, so a corrupt or hostile file is refused before any tensor is read.
/// </summary>
internal sealed class SafetensorsHeader
{
    /// <summary>The reference implementation's cap: it bounds what a hostile length prefix can make us allocate.</summary>
    internal const long MaxHeaderBytes = 100_000_000;

    internal const string MetadataKey = "__metadata__";

    private const int LengthPrefixBytes = sizeof(ulong);

    private SafetensorsHeader(IReadOnlyDictionary<string, TensorEntry> tensors, IReadOnlyDictionary<string, string> metadata)
    {
        Tensors = tensors;
        Metadata = metadata;
    }

    /// <summary>Tensors in the order their data lies in the file.</summary>
    public IReadOnlyDictionary<string, TensorEntry> Tensors { get; }

    public IReadOnlyDictionary<string, string> Metadata { get; }

    public static SafetensorsHeader Read(SafeFileHandle file, string path, long fileLength)
    {
        if (fileLength < LengthPrefixBytes)
        {
            throw new CheckpointFormatException(path, $"file is {fileLength} bytes, shorter than the 8-byte header length prefix");
        }
        Span<byte> prefix = stackalloc byte[LengthPrefixBytes];
        ReadExactly(file, prefix, 0, path);
        var headerLength = BinaryPrimitives.ReadUInt64LittleEndian(prefix);
        if (headerLength > MaxHeaderBytes)
        {
            throw new CheckpointFormatException(path, $"header length {headerLength} exceeds the {MaxHeaderBytes}-byte limit (not a safetensors file, or a corrupt one)");
        }
        var dataStart = LengthPrefixBytes + (long)headerLength;
        if (dataStart > fileLength)
        {
            throw new CheckpointFormatException(path, $"truncated: header length {headerLength} needs at least {dataStart} bytes, file has {fileLength}");
        }
        var headerBytes = new byte[headerLength];
        ReadExactly(file, headerBytes, LengthPrefixBytes, path);
        if (!Utf8.IsValid(headerBytes))
        {
            throw new CheckpointFormatException(path, "header is not valid UTF-8");
        }

        using var json = ParseJson(headerBytes, path);
        var metadata = new OrderedDictionary<string, string>(StringComparer.Ordinal);
        var unordered = new List<PendingTensor>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var property in json.RootElement.EnumerateObject())
        {
            if (!seen.Add(property.Name))
            {
                throw new CheckpointFormatException(path, "appears twice in the header", property.Name);
            }
            if (property.Name == MetadataKey)
            {
                ReadMetadata(property.Value, path, metadata);
            }
            else
            {
                unordered.Add(ReadTensor(property.Name, property.Value, path));
            }
        }

        var inFileOrder = unordered.OrderBy(t => t.Begin).ThenBy(t => t.End).ToList();
        CheckTiling(inFileOrder, path, dataStart, fileLength);
        var tensors = new OrderedDictionary<string, TensorEntry>(inFileOrder.Count, StringComparer.Ordinal);
        foreach (var t in inFileOrder)
        {
            tensors.Add(t.Name, new TensorEntry(t.Name, t.DType, t.Shape, path, dataStart + t.Begin, t.End - t.Begin));
        }
        return new SafetensorsHeader(new ReadOnlyDictionary<string, TensorEntry>(tensors), new ReadOnlyDictionary<string, string>(metadata));
    }

    private static JsonDocument ParseJson(byte[] headerBytes, string path)
    {
        JsonDocument json;
        try
        {
            json = JsonDocument.Parse(headerBytes);
        }
        catch (JsonException e)
        {
            throw new CheckpointFormatException(path, $"header is not valid JSON: {e.Message}", innerException: e);
        }
        if (json.RootElement.ValueKind != JsonValueKind.Object)
        {
            var kind = json.RootElement.ValueKind;
            json.Dispose();
            throw new CheckpointFormatException(path, $"header is a JSON {kind}, not an object");
        }
        return json;
    }

    private static void ReadMetadata(JsonElement value, string path, OrderedDictionary<string, string> metadata)
    {
        if (value.ValueKind != JsonValueKind.Object)
        {
            throw new CheckpointFormatException(path, $"{MetadataKey} is a JSON {value.ValueKind}, not an object of strings");
        }
        foreach (var item in value.EnumerateObject())
        {
            if (item.Value.ValueKind != JsonValueKind.String)
            {
                throw new CheckpointFormatException(path, $"{MetadataKey} value of '{item.Name}' is a JSON {item.Value.ValueKind}, not a string");
            }
            if (!metadata.TryAdd(item.Name, item.Value.GetString()!))
            {
                throw new CheckpointFormatException(path, $"{MetadataKey} has key '{item.Name}' twice");
            }
        }
    }

    private static PendingTensor ReadTensor(string name, JsonElement value, string path)
    {
        if (value.ValueKind != JsonValueKind.Object)
        {
            throw new CheckpointFormatException(path, $"header entry is a JSON {value.ValueKind}, not an object", name);
        }
        var dtypeName = Required(value, "dtype", JsonValueKind.String, path, name).GetString()!;
        var dtype = StorageDTypes.Parse(dtypeName, path, name);
        var shape = ReadIntegers(Required(value, "shape", JsonValueKind.Array, path, name), "shape", path, name);
        var offsets = ReadIntegers(Required(value, "data_offsets", JsonValueKind.Array, path, name), "data_offsets", path, name);
        if (offsets.Length != 2 || offsets[1] < offsets[0])
        {
            throw new CheckpointFormatException(path, $"data_offsets [{string.Join(",", offsets)}] is not a [begin,end] pair with begin <= end", name);
        }
        var (begin, end) = (offsets[0], offsets[1]);

        long expected;
        try
        {
            expected = checked(shape.Aggregate(1L, (product, dim) => product * dim) * StorageDTypes.ElementSize(dtype));
        }
        catch (OverflowException)
        {
            throw new CheckpointFormatException(path, $"shape [{string.Join(",", shape)}] has more bytes than fit in 64 bits", name);
        }
        if (end - begin != expected)
        {
            throw new CheckpointFormatException(path, $"data_offsets [{begin},{end}] span {end - begin} bytes but shape [{string.Join(",", shape)}] of {dtypeName} needs {expected}", name);
        }
        return new PendingTensor(name, dtype, shape, begin, end);
    }

    private static JsonElement Required(JsonElement entry, string field, JsonValueKind kind, string path, string name)
    {
        if (!entry.TryGetProperty(field, out var value))
        {
            throw new CheckpointFormatException(path, $"header entry has no '{field}'", name);
        }
        if (value.ValueKind != kind)
        {
            throw new CheckpointFormatException(path, $"'{field}' is a JSON {value.ValueKind}, expected {kind}", name);
        }
        return value;
    }

    private static long[] ReadIntegers(JsonElement array, string field, string path, string name)
    {
        var values = new long[array.GetArrayLength()];
        var i = 0;
        foreach (var item in array.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Number || !item.TryGetInt64(out var value) || value < 0)
            {
                throw new CheckpointFormatException(path, $"'{field}' holds {item.GetRawText()}, not a non-negative 64-bit integer", name);
            }
            values[i++] = value;
        }
        return values;
    }

    private static void CheckTiling(List<PendingTensor> inFileOrder, string path, long dataStart, long fileLength)
    {
        var dataLength = fileLength - dataStart;
        long cursor = 0;
        string? previous = null;
        foreach (var (name, _, _, begin, end) in inFileOrder)
        {
            if (begin < cursor)
            {
                throw new CheckpointFormatException(path, $"data_offsets [{begin},{end}] overlap tensor '{previous}', which ends at {cursor}", name);
            }
            if (begin > cursor)
            {
                throw new CheckpointFormatException(path, $"data_offsets [{begin},{end}] leave a gap of {begin - cursor} bytes after offset {cursor}", name);
            }
            if (end > dataLength)
            {
                var expected = (ulong)dataStart + (ulong)inFileOrder[^1].End;
                throw new CheckpointFormatException(path, $"truncated: expected at least {expected} bytes, file has {fileLength}", name);
            }
            cursor = end;
            previous = name;
        }
        if (cursor != dataLength)
        {
            throw new CheckpointFormatException(path, $"{dataLength - cursor} trailing bytes after the last tensor: expected exactly {dataStart + cursor} bytes, file has {fileLength}");
        }
    }

    private static void ReadExactly(SafeFileHandle file, Span<byte> buffer, long offset, string path)
    {
        while (!buffer.IsEmpty)
        {
            var read = RandomAccess.Read(file, buffer, offset);
            if (read == 0)
            {
                throw new CheckpointFormatException(path, $"file shrank while its header was being read (ended at offset {offset})");
            }
            buffer = buffer[read..];
            offset += read;
        }
    }

    /// <summary>A header entry before the tiling check has vouched for its offsets.</summary>
    private readonly record struct PendingTensor(string Name, StorageDType DType, long[] Shape, long Begin, long End);
}
