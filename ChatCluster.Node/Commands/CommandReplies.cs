using System.Text.Json.Nodes;
using ChatCluster.Messages.Commands;

namespace ChatCluster.Node.Commands;

/// <summary>
/// Where one running command writes its output: lines, then exactly one final marker (ok, error, usage, timeout).
/// Thread-safe and never blocking: handlers, tails and drain progress may write from any thread. Writes after the
/// end are ignored, so a late line of a cancelled tail cannot confuse the next command.
/// </summary>
public sealed class CommandReplies
{
    private readonly Func<CommandFrame, bool> _write;
    private readonly TaskCompletionSource _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _done;

    public CommandReplies(long id, Func<CommandFrame, bool> write, CancellationToken cancelled)
    {
        Id = id;
        _write = write;
        Cancelled = cancelled;
    }

    public long Id { get; }

    /// <summary>Cancelled when the client cancels, disconnects or the node stops (tails end on it).</summary>
    public CancellationToken Cancelled { get; }

    public bool IsEnded => Volatile.Read(ref _done) != 0;

    public Task Ended => _ended.Task;

    public void Line(string text, JsonObject? data = null)
    {
        if (!IsEnded) _write(new CommandFrame.Line(Id, text, data));
    }

    public void Ok() => End(CommandFrame.End.Ok, null);

    public void Fail(string error) => End(CommandFrame.End.Failed, error);

    public void Usage(string error) => End(CommandFrame.End.Usage, error);

    public void Refuse(string error) => End(CommandFrame.End.Refused, error);

    public void TimedOut(string error) => End(CommandFrame.End.TimedOut, error);

    private void End(string status, string? error)
    {
        if (Interlocked.Exchange(ref _done, 1) != 0) return;
        _write(new CommandFrame.End(Id, status, error));
        _ended.TrySetResult();
    }
}
