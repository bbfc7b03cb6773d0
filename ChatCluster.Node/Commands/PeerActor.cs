using ChatCluster.Messages;
using System.Text.Json.Nodes;
using Akka.Actor;
using ChatCluster.Node.Api;

namespace ChatCluster.Node.Commands;

/// <summary>
/// Answers other nodes' ccm handlers (<c>/user/ccm-peer</c>, on every node even when its listener is off): details of
/// a connection held here, which of a list of connection ids are held here, removing one of them from a room through
/// the chat API, and draining this node. Async work is piped back as the answer; no actor state is touched.
/// </summary>
public sealed class PeerActor : ReceiveActor
{
    public const string Name = "ccm-peer";

    public PeerActor(CommandContext context)
    {
        Receive<PeerProtocol.Query>(q =>
        {
            var sender = Sender;
            Answer(context, q).PipeTo(sender,
                failure: e => new PeerProtocol.Answer(false, new JsonObject(), e is ChatException ? e.Message : e.GetType().Name + ": " + e.Message));
        });
    }

    public static Props Props(CommandContext context) => Akka.Actor.Props.Create(() => new PeerActor(context));

    private static async Task<PeerProtocol.Answer> Answer(CommandContext context, PeerProtocol.Query q)
    {
        var node = context.SelfAddress.ToString();
        switch (q.Kind)
        {
            case PeerProtocol.Connection:
            {
                var id = (string?)q.Args["id"] ?? "";
                return context.Services.Connections.TryGet(id, out var c)
                    ? new PeerProtocol.Answer(true, ConnectionFacts.Of(c, node, (bool?)q.Args["showProperties"] ?? false), null)
                    : new PeerProtocol.Answer(false, new JsonObject(), null);
            }
            case PeerProtocol.Locate:
            {
                var held = new JsonArray();
                foreach (var id in q.Args["ids"]?.AsArray() ?? new JsonArray())
                    if ((string?)id is { } s && context.Services.Connections.TryGet(s, out _)) held.Add(s);
                return new PeerProtocol.Answer(held.Count > 0, new JsonObject { ["node"] = node, ["ids"] = held }, null);
            }
            case PeerProtocol.LeaveRoom:
            {
                var id = (string?)q.Args["id"] ?? "";
                if (!context.Services.Connections.TryGet(id, out _)) return new PeerProtocol.Answer(false, new JsonObject(), null);
                await context.Api.RemoveMemberAsync(id, (string?)q.Args["room"] ?? "");
                return new PeerProtocol.Answer(true, new JsonObject { ["node"] = node }, null);
            }
            case PeerProtocol.Drain:
                // Answer first: the drain ends with this actor system, so it runs on its own and logs its progress.
                CmdLog.Draining(context.Logger, null);
                _ = Task.Run(() => context.Drain.DrainAsync(line => CmdLog.DrainProgress(context.Logger, line), context.Settings.CommandTimeout));
                return new PeerProtocol.Answer(true, new JsonObject { ["node"] = node }, null);
            default:
                return new PeerProtocol.Answer(false, new JsonObject(), "unknown query " + q.Kind);
        }
    }
}
