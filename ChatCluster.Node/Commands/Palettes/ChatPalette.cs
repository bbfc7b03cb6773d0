using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Akka.Actor;
using Akka.Cluster;
using ChatCluster.Messages;
using ChatCluster.Node.Rooms;

namespace ChatCluster.Node.Commands.Palettes;

/// <summary>
/// ChatCluster's <c>chat</c> palette: rooms and connections across the cluster. Changes go through the server API
/// (<c>ChatApi</c>), which reaches rooms through sharding and connections on any node; facts only another node has
/// (its connections) come from that node's <see cref="PeerActor"/>.
/// </summary>
public sealed class ChatPalette : PaletteActor
{
    // Rooms are asked for their members this many at a time (each ask is one message to one room).
    private const int RoomAsksInFlight = 16;

    public ChatPalette(CommandContext context) : base(context)
    {
        Verb("rooms", Rooms);
        Verb("room", Room);
        Verb("create", Create);
        Verb("destroy", Destroy);
        Verb("connections", Connections);
        Verb("connection", Connection);
        Verb("send", Send);
        Verb("broadcast", Broadcast);
        Verb("kick", Kick);
        Verb("set", Set);
    }

    public static Props Props(CommandContext context) => Akka.Actor.Props.Create(() => new ChatPalette(context));

    private async Task Rooms(CommandRequest r)
    {
        var api = Context0.Api;
        var rooms = await api.ListAsync();
        var homes = await ShardingPalette.ShardHomesAsync(Context0);
        var extractor = new RoomMessageExtractor(Context0.Services.Settings.ShardCount);
        using var gate = new SemaphoreSlim(RoomAsksInFlight);
        var counts = await Task.WhenAll(rooms.Select(async room =>
        {
            await gate.WaitAsync(r.Reply.Cancelled);
            try
            {
                return (await api.StatusAsync(room)).Members.Count;
            }
            catch (ChatCluster.Messages.ChatException)
            {
                return -1; // destroyed meanwhile, or its node is not answering: shown as "?"
            }
            finally
            {
                gate.Release();
            }
        }));
        // The shard's home is known once the room has been used since its shard last moved (then the next listing shows it).
        var hostedAfter = await ShardingPalette.ShardHomesAsync(Context0);
        for (var i = 0; i < rooms.Count; i++)
        {
            var shard = extractor.ShardId(RoomMessageExtractor.EntityIdOf(rooms[i]));
            var node = hostedAfter.GetValueOrDefault(shard) ?? homes.GetValueOrDefault(shard) ?? "-";
            var members = counts[i] < 0 ? "?" : counts[i].ToString(CultureInfo.InvariantCulture);
            r.Reply.Line($"{rooms[i]} | {members} members | shard {shard} | {node}", new JsonObject
            {
                ["room"] = rooms[i], ["members"] = counts[i] < 0 ? null : counts[i], ["shard"] = shard, ["node"] = node,
            });
        }
        r.Reply.Line($"Count: {rooms.Count} rooms", new JsonObject { ["count"] = rooms.Count });
    }

    private async Task Room(CommandRequest r)
    {
        var status = await Context0.Api.StatusAsync(r.Args["room"]);
        var ids = status.Members.Select(m => m.ConnectionId).ToList();
        var nodes = await LocateAsync(ids);
        foreach (var m in status.Members.OrderBy(m => m.JoinedAt).ThenBy(m => m.ConnectionId, StringComparer.Ordinal))
        {
            var node = nodes.GetValueOrDefault(m.ConnectionId, "?");
            var joined = DateTimeOffset.FromUnixTimeMilliseconds(m.JoinedAt).UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);
            r.Reply.Line($"{m.ConnectionId} | {node} | joinedAt {joined}", new JsonObject
            {
                ["id"] = m.ConnectionId, ["node"] = node, ["joinedAt"] = m.JoinedAt,
            });
        }
        r.Reply.Line($"Count: {status.Members.Count} members", new JsonObject { ["room"] = status.Room, ["count"] = status.Members.Count });
    }

    // Which node holds each connection: every Up node is asked once for the whole list.
    private async Task<Dictionary<string, string>> LocateAsync(IReadOnlyList<string> ids)
    {
        var found = new Dictionary<string, string>(StringComparer.Ordinal);
        if (ids.Count == 0) return found;
        var query = new PeerProtocol.Query(PeerProtocol.Locate, new JsonObject { ["ids"] = new JsonArray(ids.Select(i => (JsonNode?)i).ToArray()) });
        foreach (var answer in await AskEveryNodeAsync(query))
            if (answer is { Found: true })
                foreach (var id in answer.Data["ids"]!.AsArray())
                    found[(string)id!] = (string)answer.Data["node"]!;
        return found;
    }

    private async Task<PeerProtocol.Answer?[]> AskEveryNodeAsync(PeerProtocol.Query query)
    {
        var cluster = Cluster.Get(Context0.System);
        var asks = cluster.State.Members.Where(m => m.Status == MemberStatus.Up).Select(async m =>
        {
            try
            {
                return await Context0.Peer(m.Address).Ask<PeerProtocol.Answer>(query, Context0.PeerTimeout);
            }
            catch (AskTimeoutException)
            {
                return null;
            }
        });
        return await Task.WhenAll(asks);
    }

    private async Task Create(CommandRequest r)
    {
        var room = r.Args["room"]!;
        await Context0.Api.AddAsync(room);
        r.Reply.Line($"created room {room}", new JsonObject { ["created"] = room });
    }

    private async Task Destroy(CommandRequest r)
    {
        var room = r.Args["room"]!;
        await Context0.Api.DestroyAsync(room);
        r.Reply.Line($"destroyed room {room}", new JsonObject { ["destroyed"] = room });
    }

    private Task Connections(CommandRequest r)
    {
        var transport = r.Args["transport"];
        var limit = r.Args.PositiveInt("limit");
        var node = Context0.SelfAddress.ToString();
        // ActionHero calls a TCP connection "socket"; the switch says tcp, as the node's listeners do.
        var type = transport == "tcp" ? "socket" : transport;
        var all = Context0.Services.Connections.All.Where(c => type is null || c.View.Type == type)
            .OrderBy(c => c.View.ConnectedAt).ThenBy(c => c.Id, StringComparer.Ordinal).ToList();
        foreach (var c in all.Take(limit))
        {
            var facts = ConnectionFacts.Of(c, node, showProperties: false);
            r.Reply.Line(ConnectionFacts.Summary(facts), facts);
        }
        r.Reply.Line($"Count: {Math.Min(limit, all.Count)} of {all.Count} connections on {node}", new JsonObject { ["shown"] = Math.Min(limit, all.Count), ["count"] = all.Count });
        return Task.CompletedTask;
    }

    private async Task Connection(CommandRequest r)
    {
        var id = r.Args["connection"]!;
        var query = new PeerProtocol.Query(PeerProtocol.Connection, new JsonObject { ["id"] = id, ["showProperties"] = r.Args.Flag("show-properties") });
        var answer = (await AskEveryNodeAsync(query)).FirstOrDefault(a => a is { Found: true })
            ?? throw new CommandException(ChatErrors.ConnectionNotFound + ": " + id);
        var c = answer.Data;
        foreach (var key in new[] { "id", "node", "type", "remote", "connectedAt" }) r.Reply.Line($"{key}: {c[key]}", new JsonObject { [key] = c[key]?.DeepClone() });
        r.Reply.Line($"rooms: [{string.Join(", ", c["rooms"]!.AsArray().Select(x => (string?)x))}]", new JsonObject { ["rooms"] = c["rooms"]!.DeepClone() });
        foreach (var (key, value) in c["properties"]!.AsObject())
            r.Reply.Line($"property {key}: {(value is JsonValue v && v.TryGetValue<string>(out var s) && s == ConnectionFacts.Redacted ? s : value?.ToJsonString() ?? "null")}",
                new JsonObject { ["property"] = key, ["value"] = value?.DeepClone() });
    }

    private async Task Send(CommandRequest r)
    {
        var id = r.Args["connection"]!;
        var message = ParseJson("message", r.Args["message"]!) as JsonObject
            ?? throw new CommandException(ChatErrors.CmdBadValue("message", "the value", "a JSON object"), usage: true);
        if (!await Context0.Api.SendMessageAsync(id, message)) throw new CommandException(ChatErrors.ConnectionNotFound + ": " + id);
        r.Reply.Line($"sent to {id}", new JsonObject { ["sent"] = id });
    }

    private async Task Broadcast(CommandRequest r)
    {
        var room = r.Args["room"]!;
        await Context0.Api.BroadcastAsync(room, JsonValue.Create(r.Args["message"]!));
        r.Reply.Line($"broadcast to {room}", new JsonObject { ["broadcast"] = room });
    }

    private async Task Kick(CommandRequest r)
    {
        var id = r.Args["connection"]!;
        if (r.Args["room"] is { } room)
        {
            // Out of one room: the node that holds the connection runs the leave (with leave middleware), as roomLeave.
            var query = new PeerProtocol.Query(PeerProtocol.LeaveRoom, new JsonObject { ["id"] = id, ["room"] = room });
            var answers = await AskEveryNodeAsync(query);
            if (answers.FirstOrDefault(a => a?.Error is not null) is { } refused) throw new CommandException(refused.Error!);
            if (!answers.Any(a => a is { Found: true })) throw new CommandException(ChatErrors.ConnectionNotFound + ": " + id);
            r.Reply.Line($"removed {id} from {room}", new JsonObject { ["kicked"] = id, ["room"] = room });
            return;
        }
        if (!await Context0.Api.CloseConnectionAsync(id)) throw new CommandException(ChatErrors.ConnectionNotFound + ": " + id);
        r.Reply.Line($"kicked {id}", new JsonObject { ["kicked"] = id });
    }

    private async Task Set(CommandRequest r)
    {
        var id = r.Args["connection"]!;
        var key = r.Args["key"]!;
        var value = ParseJson("value", r.Args["value"]!);
        if (!await Context0.Api.SetPropertyAsync(id, key, value)) throw new CommandException(ChatErrors.ConnectionNotFound + ": " + id);
        r.Reply.Line($"set {key} on {id}", new JsonObject { ["set"] = key, ["connection"] = id });
    }

    private static JsonNode? ParseJson(string name, string raw)
    {
        try
        {
            return JsonNode.Parse(raw);
        }
        catch (JsonException)
        {
            throw new CommandException(ChatErrors.CmdBadValue(name, "the value", "valid JSON"), usage: true);
        }
    }
}
