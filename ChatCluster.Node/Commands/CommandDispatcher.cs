using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Akka.Actor;
using ChatCluster.Messages;
using ChatCluster.Messages.Commands;
using Microsoft.Extensions.Logging;

namespace ChatCluster.Node.Commands;

/// <summary>
/// Between sessions and palette actors: checks the token (constant time), the command against the table, read-only
/// mode and the switches; audits; starts the command with its reply sink and the node-side timeout; cancels it when
/// asked or when the session ends. One command per session at a time.
/// </summary>
public sealed class CommandDispatcher
{
    private readonly CmdSettings _settings;
    private readonly IReadOnlyDictionary<string, IActorRef> _palettes;
    private readonly string _node;
    private readonly ILogger _logger;
    private readonly byte[]? _tokenHash;
    private readonly ConcurrentDictionary<CommandSession, Running> _running = new();

    private sealed record Running(long Id, CommandReplies Replies, CancellationTokenSource Cancel);

    public CommandDispatcher(CmdSettings settings, IReadOnlyDictionary<string, IActorRef> palettes, string node, ILogger logger)
    {
        _settings = settings;
        _palettes = palettes;
        _node = node;
        _logger = logger;
        _tokenHash = settings.HasToken ? SHA256.HashData(Encoding.UTF8.GetBytes(settings.Token)) : null;
    }

    /// <summary>
    /// True when no token is configured, or the given one matches. Both sides are hashed first so the comparison
    /// takes the same time whatever the length or content of the guess.
    /// </summary>
    public bool Authorize(string? token)
    {
        if (_tokenHash is null) return true;
        var given = SHA256.HashData(Encoding.UTF8.GetBytes(token ?? ""));
        return CryptographicOperations.FixedTimeEquals(given, _tokenHash);
    }

    public CommandFrame.Welcome Welcome() =>
        new(_node, CommandContext.Version, CommandTable.All.Where(p => _palettes.ContainsKey(p.Name)).ToList());

    public bool IsRunning(CommandSession session) => _running.ContainsKey(session);

    public Task WhenIdle(CommandSession session) =>
        _running.TryGetValue(session, out var r) ? r.Replies.Ended : Task.CompletedTask;

    public void Run(CommandSession session, CommandFrame.Run run)
    {
        var command = CommandTable.Find(run.Palette, run.Verb);
        if (command is null || !_palettes.TryGetValue(command.Palette, out var palette))
        {
            Refuse(session, run, CommandFrame.End.Usage, ChatErrors.CmdUnknownCommand(run.Palette, run.Verb), "unknown");
            return;
        }
        if (_running.ContainsKey(session))
        {
            Refuse(session, run, CommandFrame.End.Refused, ChatErrors.CmdBusy, "busy");
            return;
        }
        var switches = CommandArgs.Describe(command, run.Args);
        if (command.Mutating && _settings.ReadOnly)
        {
            CmdLog.Audit(_logger, session.Peer, run.Palette, run.Verb, switches, "refused: read-only");
            session.Write(new CommandFrame.End(run.Id, CommandFrame.End.Refused, ChatErrors.CmdReadOnly(run.Palette, run.Verb)));
            return;
        }
        var (args, error) = CommandArgs.Bind(command, run.Args);
        if (args is null)
        {
            CmdLog.Audit(_logger, session.Peer, run.Palette, run.Verb, switches, "usage: " + error);
            session.Write(new CommandFrame.End(run.Id, CommandFrame.End.Usage, error));
            return;
        }
        var cancel = new CancellationTokenSource();
        var replies = new CommandReplies(run.Id, session.Write, cancel.Token);
        var running = new Running(run.Id, replies, cancel);
        _running[session] = running;
        CmdLog.Audit(_logger, session.Peer, run.Palette, run.Verb, switches, "started");
        replies.Ended.ContinueWith(_ =>
        {
            _running.TryRemove(KeyValuePair.Create(session, running));
            cancel.Cancel();
            cancel.Dispose();
        }, TaskScheduler.Default);
        if (!command.Streaming)
        {
            // The node-side bound: the client is answered even if a handler waits on something that never answers.
            cancel.Token.Register(() => replies.TimedOut(ChatErrors.CmdTimedOut));
            cancel.CancelAfter(_settings.CommandTimeout);
        }
        palette.Tell(new CommandRequest(command, args, replies));
    }

    private void Refuse(CommandSession session, CommandFrame.Run run, string status, string error, string audit)
    {
        CmdLog.Audit(_logger, session.Peer, run.Palette, run.Verb, "", "refused: " + audit);
        session.Write(new CommandFrame.End(run.Id, status, error));
    }

    /// <summary>The client cancelled (Ctrl-C in a tail): the command ends with ok, as pbm's tails do.</summary>
    public void Cancel(CommandSession session, long id)
    {
        if (_running.TryGetValue(session, out var r) && r.Id == id) r.Replies.Ok();
    }

    /// <summary>The session is gone: whatever it was running stops (tails unsubscribe).</summary>
    public void CancelRunning(CommandSession session)
    {
        if (_running.TryGetValue(session, out var r)) r.Replies.Ok();
    }
}
