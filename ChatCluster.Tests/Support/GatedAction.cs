using System.Text.Json.Nodes;
using ChatCluster.Node.Actions;

namespace ChatCluster.Tests.Support;

/// <summary>
/// A test action that does not finish until the test opens its gate: <c>{gated:true, n:&lt;param n&gt;}</c>.
/// Used to hold actions pending (the per-connection pending-action limit).
/// </summary>
public sealed class GatedAction : ChatAction
{
    public const string ActionName = "gatedTestAction";

    private TaskCompletionSource _gate = NewGate();
    private int _started;

    public override string Name => ActionName;

    public override string Description => "Test action: waits for the test to open its gate.";

    /// <summary>How many runs have started since the last <see cref="Close"/>.</summary>
    public int Started => Volatile.Read(ref _started);

    /// <summary>Closes the gate: runs from now on wait for <see cref="Open"/>.</summary>
    public void Close()
    {
        Volatile.Write(ref _gate, NewGate());
        Volatile.Write(ref _started, 0);
    }

    public void Open() => Volatile.Read(ref _gate).TrySetResult();

    public override async Task<JsonObject> RunAsync(ActionContext context)
    {
        Interlocked.Increment(ref _started);
        await Volatile.Read(ref _gate).Task.WaitAsync(Timeouts.Expect * 3);
        return new JsonObject { ["gated"] = true, ["n"] = context.Params["n"]?.DeepClone() };
    }

    private static TaskCompletionSource NewGate() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
