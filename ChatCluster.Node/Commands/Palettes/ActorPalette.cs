using System.Text.Json.Nodes;
using Akka.Actor;

namespace ChatCluster.Node.Commands.Palettes;

/// <summary>pbm's <c>actor</c> palette: this node's actor system and its tree (local, read from the actor cells).</summary>
public sealed class ActorPalette : PaletteActor
{
    // Connection actors are named conn-<id>; there can be tens of thousands, so they are printed as one line.
    private const string ConnectionPrefix = "conn-";

    public ActorPalette(CommandContext context) : base(context)
    {
        Verb("system", SystemInfo);
        Verb("hierarchy", Hierarchy);
    }

    public static Props Props(CommandContext context) => Akka.Actor.Props.Create(() => new ActorPalette(context));

    private Task SystemInfo(CommandRequest r)
    {
        var system = Context0.System;
        var uptime = TimeSpan.FromSeconds(system.Uptime.TotalSeconds);
        (string, string)[] facts =
        {
            ("name", system.Name), ("address", Context0.SelfAddress.ToString()),
            ("started", system.StartTime.ToString()), ("uptime", uptime.ToString(@"d\.hh\:mm\:ss")),
            ("akka", typeof(ActorSystem).Assembly.GetName().Version?.ToString(3) ?? ""),
            ("user-actors", Count(Guardian("/user")).ToString()),
        };
        foreach (var (k, v) in facts) r.Reply.Line($"{k}: {v}", new JsonObject { [k] = v });
        return Task.CompletedTask;
    }

    private Task Hierarchy(CommandRequest r)
    {
        var depth = r.Args.PositiveInt("depth");
        var path = r.Args["path"]!;
        var start = Resolve(path) ?? throw new CommandException($"no actor at {path}");
        Walk(r.Reply, start, 0, depth);
        return Task.CompletedTask;
    }

    private void Walk(CommandReplies reply, IActorRef actor, int level, int depth)
    {
        var children = Children(actor);
        reply.Line(new string(' ', level * 2) + actor.Path.ToStringWithoutAddress(),
            new JsonObject { ["path"] = actor.Path.ToStringWithoutAddress(), ["level"] = level, ["children"] = children.Count });
        if (level >= depth) return;
        var connections = 0;
        foreach (var child in children.OrderBy(c => c.Path.Name, StringComparer.Ordinal))
        {
            if (child.Path.Name.StartsWith(ConnectionPrefix, StringComparison.Ordinal)) connections++;
            else Walk(reply, child, level + 1, depth);
        }
        if (connections > 0)
            reply.Line(new string(' ', (level + 1) * 2) + $"{actor.Path.ToStringWithoutAddress().TrimEnd('/')}/{ConnectionPrefix}* ({connections} connection actors)",
                new JsonObject { ["path"] = actor.Path.ToStringWithoutAddress().TrimEnd('/') + "/" + ConnectionPrefix + "*", ["level"] = level + 1, ["count"] = connections });
    }

    private IActorRef? Resolve(string path)
    {
        IActorRef current = ((ExtendedActorSystem)Context0.System).Provider.RootGuardian;
        foreach (var segment in path.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            if (current is not ActorRefWithCell cell) return null;
            var next = cell.GetSingleChild(segment);
            if (next.IsNobody()) return null;
            current = next;
        }
        return current;
    }

    private IActorRef Guardian(string path) => Resolve(path)!;

    private static List<IActorRef> Children(IActorRef actor) =>
        actor is ActorRefWithCell cell ? cell.Children.ToList() : new List<IActorRef>();

    private static int Count(IActorRef actor) => Children(actor).Count;
}
