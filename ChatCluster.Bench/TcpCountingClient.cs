using System.Buffers;
using System.IO.Pipelines;
using System.Net.Sockets;
using System.Text;

namespace ChatCluster.Bench;

/// <summary>A TCP line client that counts chat lines without parsing them (for throughput runs).</summary>
public sealed class TcpCountingClient : IAsyncDisposable
{
    private static readonly byte[] ChatMarker = Encoding.UTF8.GetBytes("\"context\":\"user\"");
    private static readonly byte[] ResponseMarker = Encoding.UTF8.GetBytes("\"context\":\"response\"");
    private readonly Socket _socket;
    private readonly PipeReader _reader;
    private readonly NetworkStream _stream;
    private long _ownEchoes;

    private TcpCountingClient(Socket socket)
    {
        _socket = socket;
        _stream = new NetworkStream(socket);
        _reader = PipeReader.Create(_stream);
    }

    public static async Task<TcpCountingClient> ConnectAsync(int port)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync("127.0.0.1", port);
        var c = new TcpCountingClient(socket);
        await c.ReadLineAsync(); // welcome
        return c;
    }

    public async Task RequestAsync(string line)
    {
        await _stream.WriteAsync(Encoding.UTF8.GetBytes(line + "\n"));
        while ((await ReadLineAsync()).AsSpan().IndexOf(ResponseMarker) < 0)
        {
            // chat or pushes before the reply: skipped
        }
    }

    private async Task<byte[]> ReadLineAsync()
    {
        while (true)
        {
            var result = await _reader.ReadAsync();
            var buffer = result.Buffer;
            var position = buffer.PositionOf((byte)'\n');
            if (position is not null)
            {
                var line = buffer.Slice(0, position.Value).ToArray();
                _reader.AdvanceTo(buffer.GetPosition(1, position.Value));
                return line;
            }
            if (result.IsCompleted) throw new IOException("closed");
            _reader.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    /// <summary>Counts chat lines until cancelled; the own-echo count frees the sender's window.</summary>
    public async Task<long> CountChatAsync(CancellationToken stop)
    {
        long count = 0;
        try
        {
            while (!stop.IsCancellationRequested)
            {
                var result = await _reader.ReadAsync(stop);
                var buffer = result.Buffer;
                while (buffer.PositionOf((byte)'\n') is { } end)
                {
                    var line = buffer.Slice(0, end);
                    if (Contains(line, ChatMarker))
                    {
                        count++;
                        if (Contains(line, _ownMarker)) Interlocked.Increment(ref _ownEchoes);
                    }
                    buffer = buffer.Slice(buffer.GetPosition(1, end));
                }
                _reader.AdvanceTo(buffer.Start, buffer.End);
                if (result.IsCompleted) break;
            }
        }
        catch (OperationCanceledException)
        {
        }
        return count;
    }

    private byte[] _ownMarker = Encoding.UTF8.GetBytes("\u0000");

    /// <summary>Says as fast as the window of own messages not yet echoed allows; returns the number said.</summary>
    public async Task<long> SayLoopAsync(string room, int window, CancellationToken stop)
    {
        var tag = "s" + Guid.NewGuid().ToString("N")[..8];
        _ownMarker = Encoding.UTF8.GetBytes(tag);
        long sent = 0;
        var line = Encoding.UTF8.GetBytes($"say {room} {tag} xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n");
        while (!stop.IsCancellationRequested)
        {
            if (sent - Interlocked.Read(ref _ownEchoes) >= window)
            {
                await Task.Delay(1, CancellationToken.None);
                continue;
            }
            await _stream.WriteAsync(line, CancellationToken.None);
            sent++;
        }
        return sent;
    }

    private static bool Contains(ReadOnlySequence<byte> line, byte[] marker)
    {
        if (line.IsSingleSegment) return line.FirstSpan.IndexOf(marker) >= 0;
        return line.ToArray().AsSpan().IndexOf(marker) >= 0;
    }

    public ValueTask DisposeAsync()
    {
        _socket.Dispose();
        return ValueTask.CompletedTask;
    }
}
