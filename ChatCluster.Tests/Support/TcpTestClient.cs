using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;

namespace ChatCluster.Tests.Support;

/// <summary>A raw TCP client of the line protocol: send lines or bytes, read <c>\r\n</c>-terminated lines.</summary>
public sealed class TcpTestClient : IAsyncDisposable
{
    private readonly TcpClient _client;
    private readonly NetworkStream _stream;
    private readonly byte[] _buffer = new byte[64 * 1024];
    private readonly StringBuilder _pending = new();
    private Task<int>? _read;

    private TcpTestClient(TcpClient client)
    {
        _client = client;
        _stream = client.GetStream();
    }

    public static async Task<TcpTestClient> ConnectAsync(int port)
    {
        var client = new TcpClient();
        await client.ConnectAsync("127.0.0.1", port);
        return new TcpTestClient(client);
    }

    /// <summary>Connects from a given loopback address (127.0.0.x: every one of them is local on Linux).</summary>
    public static async Task<TcpTestClient> ConnectFromAsync(int port, string localAddress)
    {
        var client = new TcpClient(new System.Net.IPEndPoint(System.Net.IPAddress.Parse(localAddress), 0));
        await client.ConnectAsync("127.0.0.1", port);
        return new TcpTestClient(client);
    }

    /// <summary>Reads the welcome line and returns this client.</summary>
    public async Task<TcpTestClient> Welcomed()
    {
        var welcome = await ReadJsonAsync();
        Assert.Equal("api", (string?)welcome["context"]);
        return this;
    }

    public Task SendLineAsync(string line) => SendAsync(Encoding.UTF8.GetBytes(line + "\n"));

    public async Task SendAsync(byte[] bytes) => await _stream.WriteAsync(bytes);

    /// <summary>The next line (without <c>\r\n</c>); throws TimeoutException if none comes in time, IOException at EOF.</summary>
    public async Task<string> ReadLineAsync(TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? Timeouts.Expect);
        while (true)
        {
            var text = _pending.ToString();
            var end = text.IndexOf("\r\n", StringComparison.Ordinal);
            if (end >= 0)
            {
                _pending.Remove(0, end + 2);
                return text[..end];
            }
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero) throw new TimeoutException($"no line within the timeout; pending: {Trim(text)}");
            _read ??= _stream.ReadAsync(_buffer).AsTask();
            var finished = await Task.WhenAny(_read, Task.Delay(left));
            if (finished != _read) throw new TimeoutException($"no line within the timeout; pending: {Trim(text)}");
            var n = await _read;
            _read = null;
            if (n == 0) throw new IOException($"connection closed; pending: {Trim(text)}");
            _pending.Append(Encoding.UTF8.GetString(_buffer, 0, n));
        }
    }

    public async Task<JsonObject> ReadJsonAsync(TimeSpan? timeout = null) =>
        JsonNode.Parse(await ReadLineAsync(timeout))!.AsObject();

    /// <summary>Reads lines until one matches; the others are returned too, for assertions on order.</summary>
    public async Task<JsonObject> ReadUntilAsync(Func<JsonObject, bool> match, List<JsonObject>? skipped = null, TimeSpan? timeout = null, string? sendFirst = null)
    {
        if (sendFirst is not null) await SendLineAsync(sendFirst);
        var deadline = DateTime.UtcNow + (timeout ?? Timeouts.Expect);
        while (true)
        {
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero) throw new TimeoutException("no matching line");
            var json = await ReadJsonAsync(left);
            if (match(json)) return json;
            skipped?.Add(json);
        }
    }

    /// <summary>Sends a line and reads the next line (the reply, when nothing else is in flight).</summary>
    public async Task<JsonObject> RequestAsync(string line)
    {
        await SendLineAsync(line);
        return await ReadJsonAsync();
    }

    /// <summary>True when nothing arrives within <paramref name="window"/>.</summary>
    public async Task<bool> IsSilentAsync(TimeSpan? window = null)
    {
        try
        {
            var line = await ReadLineAsync(window ?? Timeouts.Silence);
            _pending.Insert(0, line + "\r\n");
            return false;
        }
        catch (TimeoutException)
        {
            return true;
        }
    }

    /// <summary>Waits for the server to close the connection (EOF), returning the lines read before it.</summary>
    public async Task<List<string>> ReadToEndAsync()
    {
        var lines = new List<string>();
        var deadline = DateTime.UtcNow + Timeouts.Expect;
        while (true)
        {
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero) throw new TimeoutException("the server did not close the connection");
            try
            {
                lines.Add(await ReadLineAsync(left));
            }
            catch (IOException)
            {
                return lines;
            }
        }
    }

    private static string Trim(string s) => s.Length > 300 ? s[..300] + "…" : s;

    public ValueTask DisposeAsync()
    {
        _client.Dispose();
        return ValueTask.CompletedTask;
    }
}
