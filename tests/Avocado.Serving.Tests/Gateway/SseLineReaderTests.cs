using System.Text;
using Avocado.Serving.Gateway.Backends;

namespace Avocado.Serving.Tests.Gateway;

public class SseLineReaderTests
{
    /// <summary>Hands out at most a few bytes per read, so lines straddle reads at every offset.</summary>
    sealed class TrickleStream(byte[] data, int seed) : MemoryStream(data)
    {
        readonly Random random = new(seed);
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken ct = default) =>
            base.ReadAsync(buffer[..Math.Min(buffer.Length, random.Next(1, 7))], ct);
    }

    static async Task<List<string>> ReadAll(Stream stream, int maxLineBytes = 16 << 20)
    {
        using var reader = new SseLineReader(stream, maxLineBytes);
        var lines = new List<string>();
        while (await reader.ReadLineAsync(CancellationToken.None) is { } line) lines.Add(Encoding.UTF8.GetString(line.Span));
        return lines;
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public async Task Lines_equal_a_plain_split_whatever_the_read_sizes(int seed)
    {
        var random = new Random(seed);
        var text = new StringBuilder();
        for (int i = 0; i < 200; i++)
        {
            // Short and long lines (past the 4 KB first buffer), UTF-8 that is not ASCII, CRLF and LF, empty lines.
            text.Append("data: {\"i\":").Append(i).Append(",\"s\":\"").Append(new string('é', random.Next(0, i % 20 == 0 ? 5000 : 40))).Append("中\"}");
            text.Append(random.Next(2) == 0 ? "\r\n" : "\n");
            if (random.Next(4) == 0) text.Append('\n');
        }
        text.Append("data: [DONE]"); // no line ending at the end of the stream
        var bytes = Encoding.UTF8.GetBytes(text.ToString());
        var expected = text.ToString().Split('\n').Select(l => l.TrimEnd('\r')).ToList();

        Assert.Equal(expected, await ReadAll(new TrickleStream(bytes, seed)));
        Assert.Equal(expected, await ReadAll(new MemoryStream(bytes)));
    }

    [Fact]
    public async Task An_endless_line_is_refused_instead_of_growing_without_bound()
    {
        var bytes = Encoding.UTF8.GetBytes(new string('x', 70_000));
        await Assert.ThrowsAsync<InvalidDataException>(() => ReadAll(new MemoryStream(bytes), maxLineBytes: 16384));
        Assert.Single(await ReadAll(new MemoryStream(bytes)));
    }

    [Fact]
    public async Task An_empty_stream_has_no_lines_and_a_final_newline_adds_none()
    {
        Assert.Empty(await ReadAll(new MemoryStream([])));
        Assert.Equal(["a", "b"], await ReadAll(new MemoryStream("a\nb\n"u8.ToArray())));
    }
}
