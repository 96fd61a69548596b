using System.Buffers.Binary;
using System.Text;

namespace Avocado.Models.Checkpoints;

/// <summary>Builds safetensors files by hand, byte by byte, independently of the writer under test.</summary>
internal static class SafetensorsBytes
{
    /// <summary>The u64 little-endian header length, the header padded with spaces to 8 bytes, then data bytes 0, 1, 2, ...</summary>
    public static byte[] Build(string headerJson, int dataLength)
    {
        var header = Encoding.UTF8.GetBytes(headerJson);
        var padded = (header.Length + 7) / 8 * 8;
        var file = new byte[8 + padded + dataLength];
        BinaryPrimitives.WriteUInt64LittleEndian(file, (ulong)padded);
        header.CopyTo(file, 8);
        file.AsSpan(8 + header.Length, padded - header.Length).Fill((byte)' ');
        for (var i = 0; i < dataLength; i++)
        {
            file[8 + padded + i] = (byte)i;
        }
        return file;
    }
}
