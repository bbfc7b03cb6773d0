using System.Buffers.Binary;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using ChatCluster.Bench.Load;

namespace ChatCluster.Tests.Support;

/// <summary>One websocket frame as read from the server.</summary>
public sealed record RawFrame(bool Fin, int Rsv, int Opcode, bool Masked, byte[] Payload)
{
    public const int Continuation = ClientFrames.OpContinuation, Text = ClientFrames.OpText, Binary = ClientFrames.OpBinary,
        Close = ClientFrames.OpClose, Ping = ClientFrames.OpPing, Pong = ClientFrames.OpPong;

    public string AsText => Encoding.UTF8.GetString(Payload);

    /// <summary>The status code of a close frame; null when its body is empty (the peer sees 1005).</summary>
    public ushort? CloseCode => Opcode == Close && Payload.Length >= 2 ? BinaryPrimitives.ReadUInt16BigEndian(Payload) : null;

    public override string ToString() => $"opcode {Opcode} fin {Fin} {Payload.Length}B {(Opcode == Close ? "code " + CloseCode : AsText)}";
}

/// <summary>
/// A websocket client over a bare TCP socket: it does the HTTP upgrade itself and writes any frame, including
/// ones a real client library refuses to send (unmasked, reserved bits, bad opcodes, raw pings).
/// </summary>
public sealed class RawWebSocketClient : IAsyncDisposable
{
    private readonly TcpClient _client;
    private readonly NetworkStream _stream;
    private readonly byte[] _buffer = new byte[64 * 1024];
    private readonly List<byte> _pending = new();
    private Task<int>? _read;

    private RawWebSocketClient(TcpClient client)
    {
        _client = client;
        _stream = client.GetStream();
    }

    /// <summary>
    /// Connects and upgrades. <paramref name="httpFirst"/>: a plain HTTP request path sent (and its response read) on the
    /// same connection before the upgrade, as a keep-alive client would. <paramref name="chunks"/>: the upgrade request
    /// is written in that many pieces (each flushed on its own), as a slow client would.
    /// </summary>
    public static async Task<RawWebSocketClient> ConnectAsync(int port, string pathAndQuery = "/primus?_primuscb=raw", string? httpFirst = null, int chunks = 1)
    {
        var client = new TcpClient { NoDelay = true };
        await client.ConnectAsync("127.0.0.1", port);
        var raw = new RawWebSocketClient(client);
        var deadline = DateTime.UtcNow + Timeouts.Expect;
        if (httpFirst is not null)
        {
            await raw._stream.WriteAsync(Encoding.ASCII.GetBytes($"GET {httpFirst} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n"));
            var (status, headers) = await raw.ReadHeadAsync(deadline);
            Assert.StartsWith("HTTP/1.1 200", status, StringComparison.Ordinal);
            var length = int.Parse(headers.Split("\r\n").Single(h => h.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase))[15..].Trim(),
                System.Globalization.CultureInfo.InvariantCulture);
            await raw.NeedAsync(length, deadline);
            raw._pending.RemoveRange(0, length);
        }
        var key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(16));
        var request = ClientFrames.UpgradeRequest($"127.0.0.1:{port}", pathAndQuery, key);
        var step = (request.Length + chunks - 1) / chunks;
        for (var offset = 0; offset < request.Length; offset += step)
        {
            await raw._stream.WriteAsync(request.AsMemory(offset, Math.Min(step, request.Length - offset)));
            await raw._stream.FlushAsync();
        }

        var (line, rest) = await raw.ReadHeadAsync(deadline);
        var head = line + "\r\n" + rest;
        Assert.StartsWith("HTTP/1.1 101", head, StringComparison.Ordinal);
        var expectedAccept = Convert.ToBase64String(SHA1.HashData(Encoding.ASCII.GetBytes(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11")));
        Assert.Contains("Sec-WebSocket-Accept: " + expectedAccept, head, StringComparison.OrdinalIgnoreCase);
        return raw;
    }

    /// <summary>Writes one frame exactly as described: masked with a random key unless <paramref name="mask"/> is false.</summary>
    public async Task SendFrameAsync(int opcode, byte[] payload, bool fin = true, bool mask = true, int rsv = 0) =>
        await _stream.WriteAsync(ClientFrames.Frame((byte)((fin ? 0x80 : 0) | ((rsv & 7) << 4) | (opcode & 0x0F)), payload,
            mask: RandomNumberGenerator.GetBytes(4), masked: mask));

    /// <summary>Writes bytes as they are (hand-built frames, or a header without its payload).</summary>
    public async Task SendRawAsync(byte[] bytes) => await _stream.WriteAsync(bytes);

    public Task SendTextAsync(string text, bool fin = true) => SendFrameAsync(RawFrame.Text, Encoding.UTF8.GetBytes(text), fin);

    /// <summary>The next frame; TimeoutException if none comes in time, EndOfStreamException when the server closed the TCP connection.</summary>
    public async Task<RawFrame> ReadFrameAsync(TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? Timeouts.Expect);
        int header;
        long length;
        bool masked;
        while (!ClientFrames.TryReadHeader(CollectionsMarshal.AsSpan(_pending), out header, out length, out _, out _, out masked)) await FillAsync(deadline);
        await NeedAsync(header + (int)length, deadline);
        var b0 = _pending[0];
        var payload = _pending.GetRange(header, (int)length).ToArray();
        if (masked) // a server must not mask; unmasked here only so the failure shows the text
        {
            for (var i = 0; i < payload.Length; i++) payload[i] ^= _pending[header - 4 + (i & 3)];
        }
        _pending.RemoveRange(0, header + (int)length);
        return new RawFrame((b0 & 0x80) != 0, (b0 >> 4) & 7, b0 & 0x0F, masked, payload);
    }

    /// <summary>Reads frames until a close frame; returns the frames before it and the close frame (null if the TCP connection just ended).</summary>
    public async Task<(List<RawFrame> Before, RawFrame? Close)> ReadUntilCloseAsync()
    {
        var before = new List<RawFrame>();
        var deadline = DateTime.UtcNow + Timeouts.Expect;
        while (true)
        {
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero) throw new TimeoutException("the server sent no close frame; frames: " + string.Join(" | ", before));
            RawFrame frame;
            try
            {
                frame = await ReadFrameAsync(left);
            }
            catch (Exception e) when (e is EndOfStreamException or IOException)
            {
                EndReason = e.GetType().Name + ": " + e.Message + $" ({_pending.Count} bytes pending)";
                return (before, null);
            }
            if (frame.Opcode == RawFrame.Close) return (before, frame);
            before.Add(frame);
        }
    }

    /// <summary>True when the server ends the TCP connection (EOF or reset) within the timeout, after any further frames.</summary>
    public async Task<bool> ServerEndsConnectionAsync()
    {
        var deadline = DateTime.UtcNow + Timeouts.Expect;
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                await ReadFrameAsync(deadline - DateTime.UtcNow);
            }
            catch (Exception e) when (e is EndOfStreamException or IOException)
            {
                return true;
            }
            catch (TimeoutException)
            {
                return false;
            }
        }
        return false;
    }

    /// <summary>Why the last read ended without a frame (EOF or reset), for failure messages.</summary>
    public string? EndReason { get; private set; }

    // The status line and the header lines of an HTTP response (consumed from the buffer, body left).
    private async Task<(string Status, string Headers)> ReadHeadAsync(DateTime deadline)
    {
        int end;
        while ((end = IndexOf(_pending, "\r\n\r\n"u8)) < 0) await FillAsync(deadline);
        var head = Encoding.ASCII.GetString(_pending.GetRange(0, end).ToArray());
        _pending.RemoveRange(0, end + 4);
        var lineEnd = head.IndexOf("\r\n", StringComparison.Ordinal);
        return lineEnd < 0 ? (head, "") : (head[..lineEnd], head[(lineEnd + 2)..]);
    }

    private async Task NeedAsync(int count, DateTime deadline)
    {
        while (_pending.Count < count) await FillAsync(deadline);
    }

    private async Task FillAsync(DateTime deadline)
    {
        var left = deadline - DateTime.UtcNow;
        if (left <= TimeSpan.Zero) throw new TimeoutException($"no complete frame within the timeout ({_pending.Count} bytes pending)");
        _read ??= _stream.ReadAsync(_buffer).AsTask();
        var finished = await Task.WhenAny(_read, Task.Delay(left));
        if (finished != _read) throw new TimeoutException($"no complete frame within the timeout ({_pending.Count} bytes pending)");
        var read = _read;
        _read = null;
        var n = await read;
        if (n == 0) throw new EndOfStreamException("the server closed the connection");
        _pending.AddRange(_buffer.AsSpan(0, n).ToArray());
    }

    private static int IndexOf(List<byte> data, ReadOnlySpan<byte> needle)
    {
        for (var i = 0; i + needle.Length <= data.Count; i++)
        {
            var match = true;
            for (var j = 0; j < needle.Length && match; j++) match = data[i + j] == needle[j];
            if (match) return i;
        }
        return -1;
    }

    public ValueTask DisposeAsync()
    {
        _client.Dispose();
        return ValueTask.CompletedTask;
    }
}
