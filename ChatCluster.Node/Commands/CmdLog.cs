using System.Net;
using Microsoft.Extensions.Logging;

namespace ChatCluster.Node.Commands;

/// <summary>The command listener's log lines (event ids 1300-1319). Tokens and message bodies are never logged.</summary>
public static partial class CmdLog
{
    [LoggerMessage(1300, LogLevel.Information, "ccm listener on {Endpoint} (token {TokenState}, {Mode})")]
    public static partial void Listening(ILogger logger, EndPoint endpoint, string tokenState, string mode);

    [LoggerMessage(1301, LogLevel.Information, "ccm audit: {Peer} ran {Palette} {Verb} {Switches} -> {Status}")]
    public static partial void Audit(ILogger logger, EndPoint? peer, string palette, string verb, string switches, string status);

    [LoggerMessage(1302, LogLevel.Warning, "ccm session from {Peer} refused: {Reason}")]
    public static partial void Refused(ILogger logger, EndPoint? peer, string reason);

    [LoggerMessage(1303, LogLevel.Warning, "ccm session from {Peer} closed: {Reason}")]
    public static partial void Closed(ILogger logger, EndPoint? peer, string reason);

    [LoggerMessage(1304, LogLevel.Error, "ccm command {Palette} {Verb} failed")]
    public static partial void CommandFailed(ILogger logger, Exception exception, string palette, string verb);

    [LoggerMessage(1305, LogLevel.Warning, "ccm: {Peer} drains this node")]
    public static partial void Draining(ILogger logger, EndPoint? peer);

    [LoggerMessage(1307, LogLevel.Information, "drain: {Progress}")]
    public static partial void DrainProgress(ILogger logger, string progress);

    [LoggerMessage(1306, LogLevel.Information, "ccm: log level set to {Level}")]
    public static partial void LevelSet(ILogger logger, LogLevel level);
}
