using System.Buffers;

namespace Avocado.Serving.Gateway.Backends;

/// <summary>
/// Lines of a server-sent event stream as UTF-8 bytes, read through one pooled buffer: a proxied answer costs no
/// string per line (a StreamReader made two per event and a char buffer per call; at 1,000 requests/s that garbage
/// was a large share of the gateway's collections). A line is valid until the next call.
/// </summary>
internal sealed class SseLineReader(Stream stream, int maxLineBytes = 16 << 20) : IDisposable
{
    private byte[] _buffer = ArrayPool<byte>.Shared.Rent(4096);
    private int _start, _end;
    private bool _eof;

    /// <summary>The next line without its line ending (LF or CRLF), or null at the end of the stream.</summary>
    public async ValueTask<ReadOnlyMemory<byte>?> ReadLineAsync(CancellationToken ct)
    {
        while (true)
        {
            int newline = _buffer.AsSpan(_start, _end - _start).IndexOf((byte)'\n');
            if (newline >= 0)
            {
                var line = _buffer.AsMemory(_start, newline);
                _start += newline + 1;
                return line.Length > 0 && line.Span[^1] == (byte)'\r' ? line[..^1] : line;
            }
            if (_eof)
            {
                if (_start == _end) return null;
                var last = _buffer.AsMemory(_start, _end - _start); // a last line without a line ending
                _start = _end;
                return last;
            }
            MakeRoom();
            int read = await stream.ReadAsync(_buffer.AsMemory(_end), ct);
            if (read == 0) _eof = true;
            _end += read;
        }
    }

    /// <summary>Moves the unread bytes to the front, or grows the buffer when a line fills it.</summary>
    private void MakeRoom()
    {
        if (_start > 0)
        {
            _buffer.AsSpan(_start, _end - _start).CopyTo(_buffer);
            _end -= _start;
            _start = 0;
        }
        if (_end < _buffer.Length) return;
        if (_buffer.Length >= maxLineBytes) throw new InvalidDataException($"an event stream line is longer than {maxLineBytes} bytes");
        var larger = ArrayPool<byte>.Shared.Rent(_buffer.Length * 2);
        _buffer.AsSpan(0, _end).CopyTo(larger);
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = larger;
    }

    public void Dispose()
    {
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = [];
    }
}
