using System.Text.Json.Nodes;
using Akka.Actor;
using Microsoft.Extensions.Logging;

namespace ChatCluster.Node.Commands.Palettes;

/// <summary>pbm's <c>log</c> palette over <see cref="RecentLog"/>.</summary>
public sealed class LogPalette : PaletteActor
{
    public LogPalette(CommandContext context) : base(context)
    {
        Verb("recent", Recent);
        Verb("tail", Tail);
        Verb("set-level", SetLevel);
    }

    public static Props Props(CommandContext context) => Akka.Actor.Props.Create(() => new LogPalette(context));

    private Task Recent(CommandRequest r)
    {
        foreach (var line in Context0.Log.Recent(r.Args.PositiveInt("count"))) r.Reply.Line(line, new JsonObject { ["line"] = line });
        return Task.CompletedTask;
    }

    private async Task Tail(CommandRequest r)
    {
        using var listening = Context0.Log.Listen(line => r.Reply.Line(line, new JsonObject { ["line"] = line }));
        await UntilCancelled(r.Reply);
    }

    private Task SetLevel(CommandRequest r)
    {
        var level = Enum.Parse<LogLevel>(r.Args["level"]!, ignoreCase: true);
        Context0.Log.Level = level;
        // Akka's own log bus follows, so actor-system lines below the level stop being produced at all.
        Context0.System.EventStream.SetLogLevel(level switch
        {
            LogLevel.Trace or LogLevel.Debug => Akka.Event.LogLevel.DebugLevel,
            LogLevel.Information => Akka.Event.LogLevel.InfoLevel,
            LogLevel.Warning => Akka.Event.LogLevel.WarningLevel,
            _ => Akka.Event.LogLevel.ErrorLevel,
        });
        CmdLog.LevelSet(Context0.Logger, level);
        r.Reply.Line($"log level set to {level.ToString().ToLowerInvariant()}", new JsonObject { ["level"] = level.ToString().ToLowerInvariant() });
        return Task.CompletedTask;
    }
}
