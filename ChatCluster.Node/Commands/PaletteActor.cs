using Akka.Actor;
using ChatCluster.Messages;
using ChatCluster.Node.Api;

namespace ChatCluster.Node.Commands;

/// <summary>
/// Base of the palette handler actors (<c>/user/ccm-&lt;palette&gt;</c>): a table from verb to handler. The actor only
/// dispatches; each handler runs as a task that writes its lines to the request's <see cref="CommandReplies"/> and
/// touches no actor state, so a slow verb never blocks the next one. A handler that returns without ending its
/// replies ends them with ok; a <see cref="CommandException"/> or <see cref="ChatException"/> becomes the error value.
/// </summary>
public abstract class PaletteActor : ReceiveActor
{
    private readonly Dictionary<string, Func<CommandRequest, Task>> _verbs = new(StringComparer.Ordinal);

    protected PaletteActor(CommandContext context)
    {
        Context0 = context;
        Receive<CommandRequest>(Handle);
    }

    protected CommandContext Context0 { get; }

    protected void Verb(string name, Func<CommandRequest, Task> handler) => _verbs[name] = handler;

    private void Handle(CommandRequest request)
    {
        if (!_verbs.TryGetValue(request.Command.Name, out var handler))
        {
            request.Reply.Usage(ChatErrors.CmdUnknownCommand(request.Command.Palette, request.Command.Name));
            return;
        }
        _ = Task.Run(() => RunAsync(handler, request));
    }

    private async Task RunAsync(Func<CommandRequest, Task> handler, CommandRequest request)
    {
        var reply = request.Reply;
        try
        {
            await handler(request);
            reply.Ok();
        }
        catch (CommandException e) when (e.Usage)
        {
            reply.Usage(e.Message);
        }
        catch (CommandException e)
        {
            reply.Fail(e.Message);
        }
        catch (ChatException e)
        {
            reply.Fail(e.Message);
        }
        catch (OperationCanceledException) when (reply.Cancelled.IsCancellationRequested)
        {
            reply.Ok();
        }
        catch (Exception e)
        {
            CmdLog.CommandFailed(Context0.Logger, e, request.Command.Palette, request.Command.Name);
            reply.Fail(ChatErrors.InternalError + ": " + e.GetType().Name + ": " + e.Message);
        }
    }

    /// <summary>Parses an Akka address switch or throws a usage error.</summary>
    protected static Address ParseAddress(string raw)
    {
        try
        {
            return Address.Parse(raw);
        }
        catch (Exception e) when (e is UriFormatException or ArgumentException or FormatException)
        {
            throw new CommandException(ChatErrors.CmdBadValue("address", raw, "an address like akka.tcp://chatcluster@127.0.0.1:4053"), usage: true);
        }
    }

    /// <summary>Waits until the stream of a tail is cancelled (client Ctrl-C, disconnect, node stop).</summary>
    protected static Task UntilCancelled(CommandReplies reply)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        reply.Cancelled.Register(() => done.TrySetResult());
        return done.Task;
    }
}
