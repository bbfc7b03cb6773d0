using System.Text.Json;
using System.Text.Json.Nodes;

namespace ChatCluster.Tests.Support;

/// <summary>The two client transports a wire test can run over.</summary>
public enum Transport
{
    Tcp,
    Ws,
}

/// <summary>
/// One chat client over either transport, with the same verbs: requests are answered by the next
/// <c>context:"response"</c> message, and chat pushes that arrive meanwhile are kept for <see cref="NextChatAsync"/>
/// (and the other way round), so interleaving never loses a message. Websocket requests carry increasing numeric
/// messageIds and every reply is checked to carry the id of its request.
/// </summary>
public abstract class WireClient : IAsyncDisposable
{
    private readonly Queue<JsonObject> _chat = new();
    private readonly Queue<JsonObject> _responses = new();

    public abstract Transport Transport { get; }

    public static async Task<WireClient> ConnectAsync(NodeFixture node, Transport transport) => transport switch
    {
        Transport.Tcp => new TcpWire(await (await node.Tcp()).Welcomed()),
        _ => new WsWire(await (await node.Ws()).Welcomed()),
    };

    /// <summary>Sends a verb (<c>roomAdd</c>, <c>say</c>, …) and returns its reply.</summary>
    public abstract Task<JsonObject> VerbAsync(string verb, string? room = null, string? message = null);

    /// <summary>Calls an action (websocket <c>action</c> event, TCP JSON line) and returns its reply.</summary>
    public abstract Task<JsonObject> ActionAsync(string action, JsonObject? parameters = null);

    public Task<JsonObject> RoomAddAsync(string room) => VerbAsync("roomAdd", room);

    public Task<JsonObject> RoomLeaveAsync(string room) => VerbAsync("roomLeave", room);

    public Task<JsonObject> RoomViewAsync(string room) => VerbAsync("roomView", room);

    public Task<JsonObject> SayAsync(string room, string message) => VerbAsync("say", room, message);

    public async Task<JsonObject> DetailsAsync()
    {
        var reply = await VerbAsync("detailsView");
        AssertOk(reply);
        return reply["data"]!.AsObject();
    }

    public async Task<string> IdAsync() => (string)(await DetailsAsync())["id"]!;

    public async Task<string[]> RoomsAsync() =>
        (await DetailsAsync())["rooms"]!.AsArray().Select(r => (string)r!).ToArray();

    /// <summary>Joins the room and asserts it worked.</summary>
    public async Task JoinAsync(string room) => AssertOk(await RoomAddAsync(room));

    /// <summary>The next chat push (anything that is not a response).</summary>
    public async Task<JsonObject> NextChatAsync()
    {
        if (_chat.Count > 0) return _chat.Dequeue();
        var deadline = DateTime.UtcNow + Timeouts.Expect;
        while (true)
        {
            var message = await ReadRawAsync(Left(deadline, "no chat message"));
            if (!IsResponse(message)) return message;
            _responses.Enqueue(message);
        }
    }

    /// <summary>The next <c>context:"response"</c> message.</summary>
    public async Task<JsonObject> NextResponseAsync()
    {
        if (_responses.Count > 0) return _responses.Dequeue();
        var deadline = DateTime.UtcNow + Timeouts.Expect;
        while (true)
        {
            var message = await ReadRawAsync(Left(deadline, "no response"));
            if (IsResponse(message)) return message;
            _chat.Enqueue(message);
        }
    }

    /// <summary>True when nothing at all (kept or new) arrives within the silence window.</summary>
    public async Task<bool> IsSilentAsync() => _chat.Count == 0 && _responses.Count == 0 && await RawSilentAsync();

    /// <summary>A verb's success reply: <c>status:"OK"</c>, <c>context:"response"</c>.</summary>
    public static void AssertOk(JsonObject reply)
    {
        Assert.True((string?)reply["status"] == "OK", $"expected an OK reply, got {reply.ToJsonString()}");
        Assert.Equal("response", (string?)reply["context"]);
    }

    /// <summary>
    /// A verb's error reply with the transport's shape: TCP <c>{"error":text,"context":"response","messageId":…}</c>
    /// (no status), websocket <c>status</c> = <c>error</c> = <c>"Error: " + text</c>.
    /// </summary>
    public void AssertVerbError(JsonObject reply, string text)
    {
        Assert.Equal("response", (string?)reply["context"]);
        Assert.True(reply.ContainsKey("messageId"), $"no messageId in {reply.ToJsonString()}");
        if (Transport == Transport.Tcp)
        {
            Assert.Equal(text, (string?)reply["error"]);
            Assert.False(reply.ContainsKey("status"), $"TCP verb errors have no status: {reply.ToJsonString()}");
        }
        else
        {
            Assert.Equal("Error: " + text, (string?)reply["error"]);
            Assert.Equal("Error: " + text, (string?)reply["status"]);
        }
    }

    protected abstract Task<JsonObject> ReadRawAsync(TimeSpan timeout);

    protected abstract Task<bool> RawSilentAsync();

    public abstract ValueTask DisposeAsync();

    private static bool IsResponse(JsonObject message) => (string?)message["context"] == "response";

    private static TimeSpan Left(DateTime deadline, string what)
    {
        var left = deadline - DateTime.UtcNow;
        if (left <= TimeSpan.Zero) throw new TimeoutException(what + " within the timeout");
        return left;
    }

    private sealed class TcpWire(TcpTestClient client) : WireClient
    {
        public override Transport Transport => Transport.Tcp;

        public override async Task<JsonObject> VerbAsync(string verb, string? room = null, string? message = null)
        {
            var line = verb + (room is null ? "" : " " + room) + (message is null ? "" : " " + message);
            await client.SendLineAsync(line);
            var reply = await NextResponseAsync();
            Assert.True(reply.ContainsKey("messageId"), $"no messageId in {reply.ToJsonString()}");
            return reply;
        }

        public override async Task<JsonObject> ActionAsync(string action, JsonObject? parameters = null)
        {
            var line = new JsonObject { ["action"] = action, ["params"] = parameters ?? new JsonObject() };
            await client.SendLineAsync(line.ToJsonString());
            return await NextResponseAsync();
        }

        protected override Task<JsonObject> ReadRawAsync(TimeSpan timeout) => client.ReadJsonAsync(timeout);

        protected override Task<bool> RawSilentAsync() => client.IsSilentAsync();

        public override ValueTask DisposeAsync() => client.DisposeAsync();
    }

    private sealed class WsWire(WsTestClient client) : WireClient
    {
        private int _messageId;

        public override Transport Transport => Transport.Ws;

        public override async Task<JsonObject> VerbAsync(string verb, string? room = null, string? message = null)
        {
            var frame = new JsonObject { ["event"] = verb };
            if (room is not null) frame["room"] = room;
            if (message is not null) frame["message"] = message;
            return await RequestAsync(frame);
        }

        public override Task<JsonObject> ActionAsync(string action, JsonObject? parameters = null)
        {
            var p = parameters?.DeepClone().AsObject() ?? new JsonObject();
            p["action"] = action;
            return RequestAsync(new JsonObject { ["event"] = "action", ["params"] = p });
        }

        private async Task<JsonObject> RequestAsync(JsonObject frame)
        {
            var id = ++_messageId;
            frame["messageId"] = id;
            await client.SendTextAsync(frame.ToJsonString());
            var reply = await NextResponseAsync();
            Assert.True(reply["messageId"] is JsonValue v && v.GetValueKind() == JsonValueKind.Number && (int)v == id,
                $"expected the reply to messageId {id}, got {reply.ToJsonString()}");
            return reply;
        }

        protected override Task<JsonObject> ReadRawAsync(TimeSpan timeout) => client.ReadJsonAsync(timeout);

        protected override Task<bool> RawSilentAsync() => client.IsSilentAsync();

        public override ValueTask DisposeAsync() => client.DisposeAsync();
    }
}
