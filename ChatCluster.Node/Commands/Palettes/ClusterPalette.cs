using System.Globalization;
using System.Text.Json.Nodes;
using Akka.Actor;
using Akka.Cluster;
using ChatCluster.Messages;

namespace ChatCluster.Node.Commands.Palettes;

/// <summary>pbm's <c>cluster</c> palette: membership as this node sees it, and the membership actions.</summary>
public sealed class ClusterPalette : PaletteActor
{
    public ClusterPalette(CommandContext context) : base(context)
    {
        Verb("show", Show);
        Verb("status", Status);
        Verb("leader", Leader);
        Verb("leave", Leave);
        Verb("join", Join);
        Verb("down", Down);
        Verb("down-unreachable", DownUnreachable);
        Verb("tail", Tail);
    }

    public static Props Props(CommandContext context) => Akka.Actor.Props.Create(() => new ClusterPalette(context));

    private Cluster Cluster => Cluster.Get(Context0.System);

    /// <summary>pbm's member line: <c>address | [roles] | status | unreachable-or-blank | app-version</c>.</summary>
    public static string MemberLine(Member m, bool unreachable) =>
        $"{m.Address} | [{string.Join(",", m.Roles.OrderBy(r => r, StringComparer.Ordinal))}] | {StatusText(m.Status)} | {(unreachable ? "unreachable" : "")} | {m.AppVersion}";

    public static string StatusText(MemberStatus status) => status switch
    {
        MemberStatus.WeaklyUp => "weakly-up",
        _ => status.ToString().ToLowerInvariant(),
    };

    private static JsonObject MemberData(Member m, bool unreachable) => new()
    {
        ["address"] = m.Address.ToString(),
        ["roles"] = new JsonArray(m.Roles.OrderBy(r => r, StringComparer.Ordinal).Select(r => (JsonNode?)r).ToArray()),
        ["status"] = StatusText(m.Status),
        ["reachable"] = !unreachable,
        ["appVersion"] = m.AppVersion.ToString(),
    };

    private Task Show(CommandRequest r)
    {
        var state = Cluster.State;
        var unreachable = state.Unreachable.Select(m => m.Address).ToHashSet();
        var members = state.Members.OrderBy(m => m.Address.ToString(), StringComparer.Ordinal).ToList();
        foreach (var m in members) r.Reply.Line(MemberLine(m, unreachable.Contains(m.Address)), MemberData(m, unreachable.Contains(m.Address)));
        r.Reply.Line($"Count: {members.Count} nodes", new JsonObject { ["count"] = members.Count });
        return Task.CompletedTask;
    }

    private Task Status(CommandRequest r)
    {
        var self = Cluster.SelfMember;
        var unreachable = Cluster.State.Unreachable.Any(m => m.Address.Equals(self.Address));
        r.Reply.Line(MemberLine(self, unreachable), MemberData(self, unreachable));
        return Task.CompletedTask;
    }

    private Task Leader(CommandRequest r)
    {
        var leader = Cluster.State.Leader;
        if (leader is null) throw new CommandException("no leader (the cluster has not converged)");
        r.Reply.Line(leader.ToString(), new JsonObject { ["leader"] = leader.ToString() });
        return Task.CompletedTask;
    }

    // Leave of this node is a drain (clients get their goodbye first); of another node, that node is asked to drain
    // itself through its ccm peer, with Akka's plain Leave as the fallback when it does not answer.
    private async Task Leave(CommandRequest r)
    {
        var self = Cluster.SelfAddress;
        var address = r.Args["address"] is { } raw ? ParseAddress(raw) : self;
        if (address.Equals(self))
        {
            r.Reply.Line($"Leaving {address}", new JsonObject { ["leaving"] = address.ToString() });
            await Context0.Drain.DrainAsync(line => r.Reply.Line(line, new JsonObject { ["progress"] = line }), Context0.Settings.CommandTimeout);
            return;
        }
        if (!Cluster.State.Members.Any(m => m.Address.Equals(address))) throw new CommandException(ChatErrors.CmdNoSuchMember(address.ToString()));
        r.Reply.Line($"Leaving {address}", new JsonObject { ["leaving"] = address.ToString() });
        try
        {
            await Context0.Peer(address).Ask<PeerProtocol.Answer>(new PeerProtocol.Query(PeerProtocol.Drain, new JsonObject()), Context0.PeerTimeout);
            r.Reply.Line($"{address} is draining (goodbyes, then leave)");
        }
        catch (AskTimeoutException)
        {
            Cluster.Leave(address);
            r.Reply.Line($"{address} did not answer; asked the cluster to remove it (Leave)");
        }
        await WaitRemovedAsync(r, address);
    }

    private async Task WaitRemovedAsync(CommandRequest r, Address address)
    {
        var deadline = DateTime.UtcNow + Context0.Settings.CommandTimeout;
        while (Cluster.State.Members.Any(m => m.Address.Equals(address)))
        {
            if (DateTime.UtcNow > deadline) throw new CommandException($"{address} is still a member after {Context0.Settings.CommandTimeout}");
            await Task.Delay(100, r.Reply.Cancelled);
        }
        r.Reply.Line($"{address} has left the cluster", new JsonObject { ["removed"] = address.ToString() });
    }

    private Task Join(CommandRequest r)
    {
        var address = ParseAddress(r.Args["address"]!);
        Cluster.Join(address);
        r.Reply.Line($"Joining {address}", new JsonObject { ["joining"] = address.ToString() });
        return Task.CompletedTask;
    }

    private Task Down(CommandRequest r)
    {
        var address = ParseAddress(r.Args["address"]!);
        if (!Cluster.State.Members.Any(m => m.Address.Equals(address))) throw new CommandException(ChatErrors.CmdNoSuchMember(address.ToString()));
        Cluster.Down(address);
        r.Reply.Line($"Downing {address}", new JsonObject { ["downing"] = address.ToString() });
        return Task.CompletedTask;
    }

    private Task DownUnreachable(CommandRequest r)
    {
        var unreachable = Cluster.State.Unreachable.Select(m => m.Address).OrderBy(a => a.ToString(), StringComparer.Ordinal).ToList();
        foreach (var address in unreachable)
        {
            Cluster.Down(address);
            r.Reply.Line($"Downing {address}", new JsonObject { ["downing"] = address.ToString() });
        }
        r.Reply.Line($"Downed {unreachable.Count} unreachable nodes", new JsonObject { ["count"] = unreachable.Count });
        return Task.CompletedTask;
    }

    private Task Tail(CommandRequest r)
    {
        ClusterTail.Start(Context0.System, r.Reply);
        return UntilCancelled(r.Reply);
    }
}
