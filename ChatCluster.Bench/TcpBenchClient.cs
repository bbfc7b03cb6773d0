using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;

namespace ChatCluster.Bench;

/// <summary>A small TCP line-protocol client for the cluster benchmarks (not for raw throughput).</summary>
public sealed class TcpBenchClient : IAsyncDisposable
{
    private readonly TcpClient _client;
    private readonly StreamReader _reader;
    private readonly Stream _stream;
    private readonly Queue<JsonObject> _pushed = new();

    private TcpBenchClient(TcpClient client)
    {
        _client = client;
        _stream = client.GetStream();
        _reader = new StreamReader(_stream, Encoding.UTF8);
    }

    public static async Task<TcpBenchClient> ConnectAsync(int port)
    {
        var client = new TcpClient { NoDelay = true };
        await client.ConnectAsync("127.0.0.1", port);
        var c = new TcpBenchClient(client);
        await c.NextAsync(TimeSpan.FromSeconds(10)); // welcome
        return c;
    }

    public Task SendAsync(string line) => _stream.WriteAsync(Encoding.UTF8.GetBytes(line + "\n")).AsTask();

    public async Task<JsonObject> NextAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        var line = await _reader.ReadLineAsync(cts.Token) ?? throw new IOException("connection closed");
        return JsonNode.Parse(line)!.AsObject();
    }

    /// <summary>Sends a request and returns its reply; chat and other pushes read meanwhile are kept.</summary>
    public async Task<JsonObject> RequestAsync(string line, TimeSpan? timeout = null)
    {
        await SendAsync(line);
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(10));
        while (true)
        {
            var m = await NextAsync(deadline - DateTime.UtcNow);
            if ((string?)m["context"] == "response") return m;
            _pushed.Enqueue(m);
        }
    }

    /// <summary>Waits for a chat message with this text; false on timeout.</summary>
    public async Task<bool> WaitForChatAsync(string text, TimeSpan timeout)
    {
        while (_pushed.TryDequeue(out var queued))
            if ((string?)queued["message"] == text) return true;
        var deadline = DateTime.UtcNow + timeout;
        try
        {
            while (true)
            {
                var m = await NextAsync(deadline - DateTime.UtcNow);
                if ((string?)m["message"] == text) return true;
            }
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    public ValueTask DisposeAsync()
    {
        _client.Dispose();
        return ValueTask.CompletedTask;
    }
}
