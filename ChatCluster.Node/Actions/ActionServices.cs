using System.Diagnostics;
using Akka.Actor;
using ChatCluster.Node.Core;
using Microsoft.Extensions.Logging;

namespace ChatCluster.Node.Actions;

/// <summary>Node facts and services built-in actions need (status, authentication settings, abuse guards).</summary>
public sealed record ActionServices(ActorSystem System, LocalConnections Connections, AuthSettings Auth, ILogger Logger)
{
    private readonly Lazy<AuthThrottle> _throttle = new(() => new AuthThrottle(Auth.Authenticate));
    private readonly Lazy<RoomCreationQuota> _quota = new(() => new RoomCreationQuota(Auth.Creation));

    /// <summary>Failed authentications (authenticate action, tokens on HTTP requests) slow the next ones down.</summary>
    public AuthThrottle AuthThrottle => _throttle.Value;

    /// <summary>Room creation caps for callers without the admin role.</summary>
    public RoomCreationQuota CreationQuota => _quota.Value;

    /// <summary>A monotonic clock for the guards (wall-clock jumps must not lift or extend a limit).</summary>
    public static TimeSpan Now() => Stopwatch.GetElapsedTime(StartTimestamp);

    private static readonly long StartTimestamp = Stopwatch.GetTimestamp();
}
