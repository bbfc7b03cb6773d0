using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;

namespace ChatCluster.Tests.Support;

/// <summary>A raw websocket client of the Primus endpoint: send frames, read text messages.</summary>
public sealed class WebSocketTestClient : IAsyncDisposable
{
    private readonly ClientWebSocket _socket;
    private readonly Queue<string> _pending = new();
    private Task<WebSocketReceiveResult>? _receive;
    private readonly byte[] _buffer = new byte[1 << 20];
    private readonly MemoryStream _message = new();

    private WebSocketTestClient(ClientWebSocket socket) => _socket = socket;

    public ClientWebSocket Socket => _socket;

    public WebSocketCloseStatus? CloseStatus { get; private set; }

    public static async Task<WebSocketTestClient> ConnectAsync(int port, string query = "", string? cookie = null)
    {
        var socket = new ClientWebSocket();
        socket.Options.KeepAliveInterval = TimeSpan.Zero;
        if (cookie is not null) socket.Options.SetRequestHeader("Cookie", cookie);
        using var cts = new CancellationTokenSource(Timeouts.Expect);
        await socket.ConnectAsync(new Uri($"ws://127.0.0.1:{port}/primus?_primuscb=test{query}"), cts.Token);
        return new WebSocketTestClient(socket);
    }

    /// <summary>Reads the welcome frame and returns this client.</summary>
    public async Task<WebSocketTestClient> Welcomed()
    {
        var welcome = await ReadJsonAsync();
        Assert.Equal("api", (string?)welcome["context"]);
        return this;
    }

    public Task SendTextAsync(string text) => SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text);

    public Task SendJsonAsync(object frame) => SendTextAsync(System.Text.Json.JsonSerializer.Serialize(frame));

    public async Task SendAsync(byte[] bytes, WebSocketMessageType type)
    {
        using var cts = new CancellationTokenSource(Timeouts.Expect);
        await _socket.SendAsync(bytes, type, true, cts.Token);
    }

    /// <summary>The next text message; throws TimeoutException, or WebSocketException once the server closed.</summary>
    public async Task<string> ReadTextAsync(TimeSpan? timeout = null)
    {
        if (_pending.Count > 0) return _pending.Dequeue();
        var deadline = DateTime.UtcNow + (timeout ?? Timeouts.Expect);
        while (true)
        {
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero) throw new TimeoutException("no websocket message within the timeout");
            _receive ??= _socket.ReceiveAsync(_buffer, CancellationToken.None);
            var finished = await Task.WhenAny(_receive, Task.Delay(left));
            if (finished != _receive) throw new TimeoutException("no websocket message within the timeout");
            var result = await _receive;
            _receive = null;
            if (result.MessageType == WebSocketMessageType.Close)
            {
                CloseStatus = result.CloseStatus;
                throw new WebSocketException(WebSocketError.ConnectionClosedPrematurely, $"closed by the server: {result.CloseStatus}");
            }
            _message.Write(_buffer, 0, result.Count);
            if (!result.EndOfMessage) continue;
            var text = Encoding.UTF8.GetString(_message.GetBuffer(), 0, (int)_message.Length);
            _message.SetLength(0);
            return text;
        }
    }

    public async Task<JsonObject> ReadJsonAsync(TimeSpan? timeout = null) => JsonNode.Parse(await ReadTextAsync(timeout))!.AsObject();

    /// <summary>Reads messages until one matches; the others go to <paramref name="skipped"/>.</summary>
    public async Task<JsonObject> ReadUntilAsync(Func<JsonObject, bool> match, List<string>? skipped = null)
    {
        var deadline = DateTime.UtcNow + Timeouts.Expect;
        while (true)
        {
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero) throw new TimeoutException("no matching message");
            var text = await ReadTextAsync(left);
            if (JsonNode.Parse(text) is JsonObject json && match(json)) return json;
            skipped?.Add(text);
        }
    }

    /// <summary>Sends a frame and reads the next message.</summary>
    public async Task<JsonObject> RequestAsync(object frame)
    {
        await SendJsonAsync(frame);
        return await ReadJsonAsync();
    }

    public async Task<bool> IsSilentAsync(TimeSpan? window = null)
    {
        try
        {
            var text = await ReadTextAsync(window ?? Timeouts.Silence);
            var rest = _pending.ToArray();
            _pending.Clear();
            _pending.Enqueue(text);
            foreach (var r in rest) _pending.Enqueue(r);
            return false;
        }
        catch (TimeoutException)
        {
            return true;
        }
    }

    /// <summary>Reads until the server closes; returns the text messages before the close.</summary>
    public async Task<List<string>> ReadToCloseAsync()
    {
        var texts = new List<string>();
        var deadline = DateTime.UtcNow + Timeouts.Expect;
        while (true)
        {
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero) throw new TimeoutException("the server did not close the websocket");
            try
            {
                texts.Add(await ReadTextAsync(left));
            }
            catch (WebSocketException)
            {
                return texts;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (_socket.State == WebSocketState.Open)
            {
                using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, cts.Token);
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
        }
        _socket.Dispose();
    }
}
