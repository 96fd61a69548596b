namespace Avocado.Text.Tokenizers;

/// <summary>
/// GPT-2's reversible map between bytes and printable characters used by byte-level BPE vocabularies: printable
/// Latin-1 bytes stand for themselves, the other 68 bytes map to U+0100 onwards in byte order.
/// </summary>
internal static class ByteLevelAlphabet
{
    /// <summary>Character standing for each byte.</summary>
    public static readonly char[] ByteToChar = Build();

    /// <summary>Byte for each character below U+0180, or -1.</summary>
    public static readonly short[] CharToByte = BuildInverse();

    private static char[] Build()
    {
        var map = new char[256];
        int next = 256;
        for (int b = 0; b < 256; b++)
        {
            bool printable = b is >= '!' and <= '~' or >= 0xA1 and <= 0xAC or >= 0xAE and <= 0xFF;
            map[b] = printable ? (char)b : (char)next++;
        }
        return map;
    }

    private static short[] BuildInverse()
    {
        var inverse = new short[0x180];
        Array.Fill(inverse, (short)-1);
        for (int b = 0; b < 256; b++) inverse[ByteToChar[b]] = (short)b;
        return inverse;
    }

    /// <summary>The bytes a byte-level token string stands for, or null if a character is outside the alphabet.</summary>
    public static byte[]? TryDecode(string token)
    {
        var bytes = new byte[token.Length];
        for (int i = 0; i < token.Length; i++)
        {
            char c = token[i];
            if (c >= CharToByte.Length || CharToByte[c] < 0) return null;
            bytes[i] = (byte)CharToByte[c];
        }
        return bytes;
    }

    public static string Encode(ReadOnlySpan<byte> bytes)
    {
        return string.Create(bytes.Length, bytes.ToArray(), static (span, b) =>
        {
            for (int i = 0; i < b.Length; i++) span[i] = ByteToChar[b[i]];
        });
    }
}
