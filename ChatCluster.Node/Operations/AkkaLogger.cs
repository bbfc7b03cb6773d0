using Akka.Actor;
using Akka.Actor.Setup;
using Akka.Dispatch;
using Akka.Event;
using Microsoft.Extensions.Logging;
using AkkaLogLevel = Akka.Event.LogLevel;
using LogLevel = Microsoft.Extensions.Logging.LogLevel;

namespace ChatCluster.Node.Operations;

/// <summary>Hands the node's <see cref="ILoggerFactory"/> to <see cref="AkkaLogger"/> through the actor system's setup.</summary>
public sealed class LoggerFactorySetup(ILoggerFactory factory) : Setup
{
    public ILoggerFactory Factory { get; } = factory;
}

/// <summary>
/// Akka's logger (<c>akka.loggers</c>): every Akka log event goes to Microsoft.Extensions.Logging under the category
/// of the class that logged it ("Akka.Cluster.Cluster", "ChatCluster.Node.Rooms.RoomActor", ...), so the node
/// writes one format for everything. Without a <see cref="LoggerFactorySetup"/> the events are dropped, with a
/// warning on stdout at start.
/// </summary>
public sealed class AkkaLogger : ReceiveActor, IRequiresMessageQueue<ILoggerMessageQueueSemantics>
{
    private readonly ILoggerFactory? _factory;

    public AkkaLogger()
    {
        _factory = Context.System.Settings.Setup.Get<LoggerFactorySetup>().GetOrElse(null!)?.Factory;
        if (_factory is null) Console.Error.WriteLine("AkkaLogger: no LoggerFactorySetup in the actor system's setup; Akka's log events are dropped");
        Receive<InitializeLogger>(_ => Sender.Tell(new LoggerInitialized()));
        Receive<LogEvent>(Log);
    }

    private void Log(LogEvent e)
    {
        if (_factory is null) return;
        // Events logged with a string source (remoting, the cluster core) carry a placeholder class: call them "Akka".
        var type = e.LogClass;
        var logger = _factory.CreateLogger(type is null || type == typeof(DummyClassForStringSources) ? "Akka" : type.FullName ?? "Akka");
        var level = Level(e.LogLevel());
        if (!logger.IsEnabled(level)) return;
        logger.Log(level, default, e.Cause, "[{LogSource}] {AkkaMessage}", e.LogSource, e.Message?.ToString());
    }

    public static LogLevel Level(AkkaLogLevel level) => level switch
    {
        AkkaLogLevel.DebugLevel => LogLevel.Debug,
        AkkaLogLevel.InfoLevel => LogLevel.Information,
        AkkaLogLevel.WarningLevel => LogLevel.Warning,
        _ => LogLevel.Error,
    };
}
