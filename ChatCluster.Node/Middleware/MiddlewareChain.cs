using System.Collections.Immutable;
using System.Text.Json.Nodes;
using ChatCluster.Node.Core;

namespace ChatCluster.Node.Middleware;

/// <summary>
/// Running one ordered chain, as plain async code (the flows call these). A refusal or silence ends the
/// chain; a hook that throws refuses with its message (join, leave, onSayReceive) or fails the delivery
/// (say). Each hook gets the previous hook's payload.
/// </summary>
public static class MiddlewareChain
{
    public static async Task<RoomVerdict> RunAsync(ImmutableArray<Named<RoomHook>> hooks, ConnectionView connection, string room)
    {
        foreach (var hook in hooks)
        {
            RoomVerdict verdict;
            try
            {
                verdict = await hook.Hook(connection, room).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                verdict = RoomVerdict.Refuse(e.Message);
            }
            if (!verdict.Allowed) return verdict;
        }
        return RoomVerdict.Allow;
    }

    /// <summary>The outcome of a say chain: the verdict, and for a failing hook its name and exception.</summary>
    public readonly record struct SayOutcome(SayVerdict Verdict, string? FailedHook, Exception? Failure);

    public static async Task<SayOutcome> RunAsync(ImmutableArray<Named<SayHook>> hooks, ConnectionView connection, string room, JsonObject payload)
    {
        var current = payload;
        foreach (var hook in hooks)
        {
            SayVerdict verdict;
            try
            {
                verdict = await hook.Hook(connection, room, current).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                return new SayOutcome(SayVerdict.Refuse(e.Message), hook.Name, e);
            }
            if (verdict.Kind != SayVerdictKind.Deliver) return new SayOutcome(verdict, null, null);
            current = verdict.Payload!;
        }
        return new SayOutcome(SayVerdict.Deliver(current), null, null);
    }
}
