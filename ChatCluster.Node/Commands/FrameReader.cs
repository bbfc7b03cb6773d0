using System.Text;

namespace ChatCluster.Node.Commands;

/// <summary>Reads '\n'-terminated UTF-8 lines from a stream, never buffering more than the limit.</summary>
public sealed class FrameReader
{
    private readonly Stream _stream;
    private readonly int _maxBytes;
    private readonly byte[] _buffer;
    private int _start;
    private int _end;

    public FrameReader(Stream stream, int maxBytes)
    {
        _stream = stream;
        _maxBytes = maxBytes;
        _buffer = new byte[maxBytes + 1];
    }

    public sealed class TooLongException : Exception;

    /// <summary>The next line without its terminator ('\r' trimmed); null at end of stream.</summary>
    public async Task<string?> ReadLineAsync(CancellationToken cancel)
    {
        while (true)
        {
            var newline = Array.IndexOf(_buffer, (byte)'\n', _start, _end - _start);
            if (newline >= 0)
            {
                var line = Encoding.UTF8.GetString(_buffer, _start, newline - _start).TrimEnd('\r');
                _start = newline + 1;
                return line;
            }
            if (_end - _start > _maxBytes) throw new TooLongException();
            if (_start > 0)
            {
                Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
                _end -= _start;
                _start = 0;
            }
            if (_end == _buffer.Length) throw new TooLongException();
            var n = await _stream.ReadAsync(_buffer.AsMemory(_end), cancel);
            if (n == 0) return null;
            _end += n;
        }
    }
}
