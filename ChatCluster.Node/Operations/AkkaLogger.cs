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
        Write(_factory, e);
    }

    /// <summary>One Akka event as one line of the pipeline, under the category of the class that logged it.</summary>
    public static void Write(ILoggerFactory factory, LogEvent e)
    {
        // Events logged with a string source (remoting, the cluster core) carry a placeholder class: call them "Akka".
        var type = e.LogClass;
        var logger = factory.CreateLogger(type is null || type == typeof(DummyClassForStringSources) ? "Akka" : type.FullName ?? "Akka");
        var level = Level(e.LogLevel());
        if (logger.IsEnabled(level)) logger.Log(level, default, e.Cause, "[{LogSource}] {AkkaMessage}", e.LogSource, e.Message?.ToString());
    }

    public static LogLevel Level(AkkaLogLevel level) => level switch
    {
        AkkaLogLevel.DebugLevel => LogLevel.Debug,
        AkkaLogLevel.InfoLevel => LogLevel.Information,
        AkkaLogLevel.WarningLevel => LogLevel.Warning,
        _ => LogLevel.Error,
    };
}

/// <summary>
/// Akka's startup and shutdown logger (<c>akka.stdout-logger-class</c>): what Akka logs before <see cref="AkkaLogger"/>
/// starts and after it stops (e.g. "Remoting shut down") goes through the same pipeline instead of Akka's own stdout
/// format. Akka creates it by class name, without the actor system, so it writes through the logger factory of the
/// node started last in this process (normally the only one).
/// </summary>
public sealed class AkkaStartupLogger : MinimalLogger
{
    private static volatile ILoggerFactory? s_factory;

    /// <summary>Called by each node as it starts.</summary>
    public static void Use(ILoggerFactory factory) => s_factory = factory;

    protected override void Log(object message)
    {
        if (s_factory is { } factory && message is LogEvent e) AkkaLogger.Write(factory, e);
    }
}
