using System.Text;
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
/// messageIds and every reply is checked to carry the id of its request. <see cref="Ok"/> and
/// <see cref="VerbError"/> give the exact reply the last request must get in this transport's dialect.
/// </summary>
public abstract class WireClient : IAsyncDisposable
{
    private readonly Queue<string> _chat = new();
    private readonly Queue<string> _responses = new();

    /// <summary>Parity tests: <c>[MemberData(nameof(WireClient.Transports), MemberType = typeof(WireClient))]</c>.</summary>
    public static TheoryData<Transport> Transports => new() { Transport.Tcp, Transport.Ws };

    public abstract Transport Transport { get; }

    public WireDialect Dialect => WireDialect.Of(Transport);

    /// <summary>The messageId the last request's reply must carry, as masked JSON (TCP <c>"&lt;uuid&gt;"</c>, websocket its number).</summary>
    public abstract string LastMessageId { get; }

    /// <summary>Connects and reads the welcome (asserted to be the dialect's exact welcome unless <paramref name="welcomed"/> is false).</summary>
    public static async Task<WireClient> ConnectAsync(NodeFixture node, Transport transport, bool welcomed = true)
    {
        WireClient client = transport switch
        {
            Transport.Tcp => new TcpWire(await node.Tcp()),
            _ => new WsWire(await node.Ws()),
        };
        if (welcomed) Assert.Equal(client.Dialect.Welcome, await client.NextTextAsync());
        return client;
    }

    /// <summary>Sends a verb (<c>roomAdd</c>, <c>say</c>, …) and returns its reply.</summary>
    public async Task<JsonObject> VerbAsync(string verb, string? room = null, string? message = null) =>
        JsonNode.Parse(await VerbTextAsync(verb, room, message))!.AsObject();

    /// <summary>Sends a verb and returns its reply exactly as it came (checked to carry the request's messageId).</summary>
    public async Task<string> VerbTextAsync(string verb, string? room = null, string? message = null)
    {
        await SendVerbAsync(verb, room, message);
        return await NextResponseTextAsync();
    }

    /// <summary>Sends a verb without waiting for its reply (replies and chat are read with the Next methods).</summary>
    public Task SendVerbAsync(string verb, string? room = null, string? message = null) => SendRequestAsync(NextRequest(verb, room, message));

    /// <summary>The UTF-8 size of the request <see cref="SendVerbAsync"/> would send next (a TCP line without its newline).</summary>
    public int SizeOfNextVerb(string verb, string? room = null, string? message = null) => Encoding.UTF8.GetByteCount(NextRequest(verb, room, message));

    /// <summary>The next request's text: a TCP line without its newline, or a websocket message.</summary>
    protected abstract string NextRequest(string verb, string? room, string? message);

    /// <summary>Sends a request made by <see cref="NextRequest"/> (and counts it).</summary>
    protected abstract Task SendRequestAsync(string request);

    /// <summary>Calls an action (websocket <c>action</c> event, TCP JSON line) and returns its reply.</summary>
    public async Task<JsonObject> ActionAsync(string action, JsonObject? parameters = null) =>
        JsonNode.Parse(await ActionTextAsync(action, parameters))!.AsObject();

    /// <summary>Calls an action and returns its reply exactly as it came.</summary>
    public async Task<string> ActionTextAsync(string action, JsonObject? parameters = null)
    {
        await SendActionAsync(action, parameters);
        return await NextResponseTextAsync();
    }

    /// <summary>Calls an action without waiting for its reply.</summary>
    public Task SendActionAsync(string action, JsonObject? parameters = null) => SendRequestAsync(ActionRequest(action, parameters));

    /// <summary>An action call: a websocket <c>action</c> event with the action among its params, or a TCP JSON line.</summary>
    protected abstract string ActionRequest(string action, JsonObject? parameters);

    /// <summary>Sends a verb and asserts its reply is exactly the dialect's success reply with <paramref name="dataJson"/>.</summary>
    public async Task ExpectOkAsync(string? dataJson, string verb, string? room = null, string? message = null)
    {
        var reply = await VerbTextAsync(verb, room, message);
        Assert.Equal(Ok(dataJson), WireText.Mask(reply));
    }

    /// <summary>
    /// Sends a verb and asserts its reply is exactly the dialect's error reply for the catalogue text
    /// <paramref name="text"/> (<paramref name="leftovers"/>: what the websocket echoes as data).
    /// </summary>
    public async Task ExpectErrorAsync(string text, string verb, string? room = null, string? message = null, string leftovers = "{}")
    {
        var reply = await VerbTextAsync(verb, room, message);
        Assert.Equal(VerbError(text, leftovers), WireText.Mask(reply));
    }

    /// <summary>Calls an action and asserts its reply is exactly <paramref name="fieldsJson"/> in the action reply shape.</summary>
    public async Task ExpectActionReplyAsync(string fieldsJson, string action, JsonObject? parameters = null)
    {
        var reply = await ActionTextAsync(action, parameters);
        Assert.Equal(WireDialect.ActionReply(fieldsJson, LastMessageId), WireText.Mask(reply));
    }

    /// <summary>The exact success reply to the last request.</summary>
    public string Ok(string? dataJson = null) => Dialect.Ok(dataJson, LastMessageId);

    /// <summary>The exact error reply to the last request (<paramref name="leftoversJson"/>: the websocket's data).</summary>
    public string VerbError(string text, string leftoversJson = "{}") => Dialect.VerbError(text, leftoversJson, LastMessageId);

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
    public async Task<JsonObject> NextChatAsync() => JsonNode.Parse(await NextChatTextAsync())!.AsObject();

    public async Task<string> NextChatTextAsync()
    {
        if (_chat.Count > 0) return _chat.Dequeue();
        var deadline = DateTime.UtcNow + Timeouts.Expect;
        while (true)
        {
            var text = await ReadRawAsync(Left(deadline, "no chat message"));
            if (!IsResponse(text)) return text;
            _responses.Enqueue(text);
        }
    }

    /// <summary>The next <c>context:"response"</c> message.</summary>
    public async Task<JsonObject> NextResponseAsync() => JsonNode.Parse(await NextResponseTextAsync())!.AsObject();

    public async Task<string> NextResponseTextAsync()
    {
        if (_responses.Count > 0) return _responses.Dequeue();
        var deadline = DateTime.UtcNow + Timeouts.Expect;
        while (true)
        {
            var text = await ReadRawAsync(Left(deadline, "no response"));
            if (IsResponse(text)) return text;
            _chat.Enqueue(text);
        }
    }

    /// <summary>The next message of any kind in arrival order (for tests about order; nothing may be kept back).</summary>
    public Task<string> NextTextAsync()
    {
        Assert.True(_chat.Count == 0 && _responses.Count == 0, "messages were already read out of order");
        return ReadRawAsync(Timeouts.Expect);
    }

    /// <summary>True when nothing at all (kept or new) arrives within the silence window.</summary>
    public async Task<bool> IsSilentAsync() => _chat.Count == 0 && _responses.Count == 0 && await RawSilentAsync();

    /// <summary>Waits until the server ends the connection; returns the messages read before the end.</summary>
    public abstract Task<List<string>> ReadToEndAsync();

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

    protected abstract Task<string> ReadRawAsync(TimeSpan timeout);

    protected abstract Task<bool> RawSilentAsync();

    public abstract ValueTask DisposeAsync();

    private static bool IsResponse(string text) => (string?)JsonNode.Parse(text)!["context"] == "response";

    private static TimeSpan Left(DateTime deadline, string what)
    {
        var left = deadline - DateTime.UtcNow;
        if (left <= TimeSpan.Zero) throw new TimeoutException(what + " within the timeout");
        return left;
    }

    private sealed class TcpWire(TcpTestClient client) : WireClient
    {
        public override Transport Transport => Transport.Tcp;

        public override string LastMessageId => WireDialect.AnyUuid;

        protected override string NextRequest(string verb, string? room, string? message) =>
            verb + (room is null ? "" : " " + room) + (message is null ? "" : " " + message);

        protected override Task SendRequestAsync(string request) => client.SendLineAsync(request);

        protected override string ActionRequest(string action, JsonObject? parameters) =>
            new JsonObject { ["action"] = action, ["params"] = parameters?.DeepClone() ?? new JsonObject() }.ToJsonString();

        protected override async Task<string> ReadRawAsync(TimeSpan timeout)
        {
            var line = await client.ReadLineAsync(timeout);
            var json = JsonNode.Parse(line)!.AsObject();
            if (IsResponse(line)) Assert.True(WireText.IsUuidV4((string?)json["messageId"]), $"no uuid messageId in {line}");
            return line;
        }

        protected override Task<bool> RawSilentAsync() => client.IsSilentAsync();

        public override Task<List<string>> ReadToEndAsync() => client.ReadToEndAsync();

        public override ValueTask DisposeAsync() => client.DisposeAsync();
    }

    private sealed class WsWire(WebSocketTestClient client) : WireClient
    {
        private readonly HashSet<int> _unanswered = new();
        private int _messageId;

        public override Transport Transport => Transport.Ws;

        public override string LastMessageId => _messageId.ToString(System.Globalization.CultureInfo.InvariantCulture);

        protected override string NextRequest(string verb, string? room, string? message)
        {
            var frame = new JsonObject { ["event"] = verb };
            if (room is not null) frame["room"] = room;
            if (message is not null) frame["message"] = message;
            frame["messageId"] = _messageId + 1;
            return frame.ToJsonString();
        }

        protected override Task SendRequestAsync(string request)
        {
            _unanswered.Add(++_messageId);
            return client.SendTextAsync(request);
        }

        protected override string ActionRequest(string action, JsonObject? parameters)
        {
            var p = parameters?.DeepClone().AsObject() ?? new JsonObject();
            p["action"] = action;
            return new JsonObject { ["event"] = "action", ["params"] = p, ["messageId"] = _messageId + 1 }.ToJsonString();
        }

        // Every reply answers one request still in flight, once (one at a time: the request just sent).
        protected override async Task<string> ReadRawAsync(TimeSpan timeout)
        {
            var text = await client.ReadTextAsync(timeout);
            if (IsResponse(text))
            {
                Assert.True(JsonNode.Parse(text)!["messageId"] is JsonValue v && v.GetValueKind() == JsonValueKind.Number && _unanswered.Remove((int)v),
                    $"expected the reply to one of the messageIds [{string.Join(",", _unanswered)}], got {text}");
            }
            return text;
        }

        protected override Task<bool> RawSilentAsync() => client.IsSilentAsync();

        public override Task<List<string>> ReadToEndAsync() => client.ReadToCloseAsync();

        public override ValueTask DisposeAsync() => client.DisposeAsync();
    }
}
