using Akka.Actor;
using Akka.Event;
using Microsoft.Extensions.Logging;

namespace ChatCluster.Node.Commands;

/// <summary>
/// Copies the actor system's own log events (cluster membership, remoting, sharding) into <see cref="RecentLog"/>, so
/// <c>log recent</c> and <c>log tail</c> show Akka's lines beside ChatCluster's.
/// </summary>
public sealed class AkkaLogForwarder : ReceiveActor
{
    public AkkaLogForwarder(RecentLog log)
    {
        Receive<LogEvent>(e =>
        {
            var level = e.LogLevel() switch
            {
                Akka.Event.LogLevel.DebugLevel => Microsoft.Extensions.Logging.LogLevel.Debug,
                Akka.Event.LogLevel.InfoLevel => Microsoft.Extensions.Logging.LogLevel.Information,
                Akka.Event.LogLevel.WarningLevel => Microsoft.Extensions.Logging.LogLevel.Warning,
                _ => Microsoft.Extensions.Logging.LogLevel.Error,
            };
            if (!log.Allows(level)) return;
            var message = e.Message?.ToString() ?? "";
            if (e.Cause is not null) message += " " + e.Cause.GetType().Name + ": " + e.Cause.Message;
            log.Add(RecentLog.Format(new DateTimeOffset(e.Timestamp, TimeSpan.Zero), level, "akka " + e.LogSource, message));
        });
    }

    public static Props Props(RecentLog log) => Akka.Actor.Props.Create(() => new AkkaLogForwarder(log));
}
