using System.Text.Json.Nodes;
using ChatCluster.Node.Core;
using ChatCluster.Node.Middleware;

namespace ChatCluster.Tests.Unit;

/// <summary>
/// Middleware order and chain rules as named tables, without sockets: the registry orders the hooks, the chain runs
/// them (the same two pieces the node's middleware flows use).
/// A chain is written as registrations in order, e.g. <c>"a:100 b:50!no c:50~boom d:10-"</c>: name:priority, then
/// <c>!text</c> refuses with text, <c>~text</c> throws text, <c>-</c> has no hook of this kind, <c>&gt;</c> silences.
/// </summary>
public sealed class MiddlewareOrderTests
{
    private static readonly ConnectionView Connection = ConnectionView.Server;

    public static TheoryData<string, string, string, string?> JoinCases => new()
    {
        { "lower priority runs first", "b:200 a:100", "a b", null },
        { "equal priorities keep registration order", "x:100 y:100 z:100", "x y z", null },
        { "priority wins over registration order", "x:100 y:100 z:1", "z x y", null },
        { "re-registering a name keeps its place among equals", "a:100 b:100 a:100", "a b", null },
        { "re-registering a name takes its new priority", "a:100 b:200 a:300", "b a", null },
        { "a refusal ends the chain with its text", "a:1!no b:2", "a", "no" },
        { "a hook that throws refuses with its message", "a:1~boom b:2", "a", "boom" },
        { "a middleware without the hook is passed over", "a:1- b:2", "b", null },
        { "an empty chain allows", "", "", null },
    };

    [Theory]
    [MemberData(nameof(JoinCases))]
    public async Task Join_chain_should_run_in_priority_order(string name, string chain, string expectedCalls, string? expectedRefusal)
    {
        var calls = new List<string>();
        var registry = Register(chain, calls);
        var verdict = await MiddlewareChain.RunAsync(registry.Chains.Join, Connection, "r1");
        Assert.True(expectedCalls == string.Join(" ", calls), $"{name}: ran {string.Join(" ", calls)}");
        Assert.True(expectedRefusal == verdict.Refusal, $"{name}: refusal {verdict.Refusal}");
    }

    public static TheoryData<string, string, string, string> SayReceiveCases => new()
    {
        { "each hook gets the previous hook's payload", "b:2 a:1", "a b", "deliver hi a b" },
        { "silence ends the chain and nobody gets it", "a:1> b:2", "a", "silence" },
        { "a refusal ends the chain", "a:1 b:2!nope c:3", "a b", "refuse nope" },
        { "a hook that throws refuses with its message", "a:1~broken b:2", "a", "refuse broken" },
    };

    [Theory]
    [MemberData(nameof(SayReceiveCases))]
    public async Task OnSayReceive_chain_should_pass_each_rewrite_on(string name, string chain, string expectedCalls, string expectedOutcome)
    {
        var calls = new List<string>();
        var registry = Register(chain, calls);
        var outcome = await MiddlewareChain.RunAsync(registry.Chains.OnSayReceive, Connection, "r1", new JsonObject { ["message"] = "hi" });
        var verdict = outcome.Verdict;
        var actual = verdict.Kind switch
        {
            SayVerdictKind.Deliver => "deliver " + verdict.Payload!["message"]!.GetValue<string>(),
            SayVerdictKind.Silence => "silence",
            _ => "refuse " + verdict.Refusal,
        };
        Assert.True(expectedCalls == string.Join(" ", calls), $"{name}: ran {string.Join(" ", calls)}");
        Assert.True(expectedOutcome == actual, $"{name}: {actual}");
    }

    private static MiddlewareRegistry Register(string chain, List<string> calls)
    {
        var registry = new MiddlewareRegistry();
        foreach (var entry in chain.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            var colon = entry.IndexOf(':');
            var name = entry[..colon];
            var rest = entry[(colon + 1)..];
            var digits = new string(rest.TakeWhile(char.IsDigit).ToArray());
            var behaviour = rest[digits.Length..];
            var middleware = new ChatMiddleware(name) { Priority = int.Parse(digits) };
            if (behaviour != "-")
            {
                middleware = middleware with
                {
                    Join = (_, _) =>
                    {
                        calls.Add(name);
                        return behaviour switch
                        {
                            ['!', .. var text] => ValueTask.FromResult(RoomVerdict.Refuse(text)),
                            ['~', .. var text] => throw new InvalidOperationException(text),
                            _ => ValueTask.FromResult(RoomVerdict.Allow),
                        };
                    },
                    OnSayReceive = (_, _, payload) =>
                    {
                        calls.Add(name);
                        return behaviour switch
                        {
                            ['!', .. var text] => ValueTask.FromResult(SayVerdict.Refuse(text)),
                            ['~', .. var text] => throw new InvalidOperationException(text),
                            ">" => ValueTask.FromResult(SayVerdict.Silence),
                            _ => ValueTask.FromResult(SayVerdict.Deliver(new JsonObject { ["message"] = payload["message"]!.GetValue<string>() + " " + name })),
                        };
                    },
                };
            }
            registry.Add(middleware);
        }
        return registry;
    }
}
