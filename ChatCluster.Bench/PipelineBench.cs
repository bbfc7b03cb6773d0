using System.Collections.Immutable;
using System.Diagnostics;
using System.Text.Json.Nodes;
using Akka.Actor;
using ChatCluster.Messages;
using ChatCluster.Node.Core;
using ChatCluster.Node.Middleware;
using ChatCluster.Transports;

namespace ChatCluster.Bench;

/// <summary>
/// Messages per second through each middleware hook kind (join, leave, onSayReceive, say) with 0, 1 and 3
/// pass-through middlewares, using the node's real <see cref="MiddlewarePipeline"/> (Akka.Streams). With 0
/// middlewares the node takes its fast path (no stream at all), which is what is measured for that column:
/// for say, one encoding shared by all recipients.
/// </summary>
public static class PipelineBench
{
    private const int InFlight = 2048;

    public static async Task RunAsync(string[] args)
    {
        var messages = 200_000;
        for (var i = 0; i < args.Length - 1; i++)
            if (args[i] == "--messages") messages = int.Parse(args[i + 1], System.Globalization.CultureInfo.InvariantCulture);

        using var system = ActorSystem.Create("bench", "akka.loglevel = WARNING");
        var view = new ConnectionView("c1", "websocket", "127.0.0.1", 1, "c1", 0, ImmutableArray.Create("room"), ImmutableDictionary<string, JsonNode?>.Empty);
        Console.WriteLine($"pipeline benchmark: {messages:N0} messages per cell, {InFlight} in flight, {Environment.ProcessorCount} cores, {DateTime.UtcNow:yyyy-MM-dd}");
        Console.WriteLine($"{"hook",-14} {"0 mw msg/s",14} {"1 mw msg/s",14} {"3 mw msg/s",14}");
        foreach (var kind in new[] { "join", "leave", "onSayReceive", "say" })
        {
            var cells = new List<string>();
            foreach (var count in new[] { 0, 1, 3 })
            {
                var registry = new MiddlewareRegistry();
                for (var i = 0; i < count; i++) registry.Add(Middleware(kind, i));
                var pipeline = new MiddlewarePipeline(system, registry, 8192, 8);
                await Measure(kind, pipeline, view, Math.Min(messages, 20_000)); // warm-up
                var rate = await Measure(kind, pipeline, view, messages);
                cells.Add($"{rate,14:N0}");
            }
            Console.WriteLine($"{kind,-14} {string.Join(" ", cells)}");
        }
    }

    private static ChatMiddleware Middleware(string kind, int i)
    {
        var name = $"{kind}-{i}";
        return kind switch
        {
            "join" => new ChatMiddleware(name) { Join = (_, _) => ValueTask.FromResult(RoomVerdict.Allow) },
            "leave" => new ChatMiddleware(name) { Leave = (_, _) => ValueTask.FromResult(RoomVerdict.Allow) },
            "onSayReceive" => new ChatMiddleware(name) { OnSayReceive = (_, _, p) => ValueTask.FromResult(SayVerdict.Deliver(CountingTransport.Touch(p, i))) },
            _ => new ChatMiddleware(name) { Say = (_, _, p) => ValueTask.FromResult(SayVerdict.Deliver(CountingTransport.Touch(p, i))) },
        };
    }

    private static async Task<double> Measure(string kind, MiddlewarePipeline pipeline, ConnectionView view, int messages)
    {
        var payload = new ChatPayload("room", "c1", "\"hello world\"", 1795560286440);
        var stopwatch = Stopwatch.StartNew();
        if (kind == "say")
        {
            var transport = new CountingTransport();
            var recipient = new LocalConnection("c2", transport, ActorRefs.Nobody, view);
            for (var i = 0; i < messages; i++)
            {
                if (pipeline.HasSay)
                {
                    pipeline.Deliver(new SayDelivery(recipient, "room", ChatPayloadJson.ToJson(payload)));
                    while (i - transport.Messages > InFlight) await Task.Yield();
                }
                else transport.Send(ChatPayloadEncoder.Encode(payload)); // the fan-out's fast path
            }
            while (transport.Messages < messages) await Task.Delay(1);
        }
        else
        {
            var window = new List<Task>(InFlight);
            for (var i = 0; i < messages; i++)
            {
                window.Add(kind switch
                {
                    "join" => pipeline.JoinAsync(view, "room"),
                    "leave" => pipeline.LeaveAsync(view, "room"),
                    // as the connection does it: with no onSayReceive middleware no payload object is even built
                    _ => pipeline.HasOnSayReceive ? pipeline.OnSayReceiveAsync(view, "room", ChatPayloadJson.ToJson(payload)) : Task.CompletedTask,
                });
                if (window.Count == InFlight)
                {
                    await Task.WhenAll(window);
                    window.Clear();
                }
            }
            await Task.WhenAll(window);
        }
        return messages / stopwatch.Elapsed.TotalSeconds;
    }
}
