using System.Text.Json.Nodes;
using ChatCluster.Tests.Support;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace ChatCluster.Tests.History;

/// <summary>
/// A graceful hand-over while senders keep saying into the moving rooms (finding 3 of docs/reliability.md): each room
/// keeps its epoch and its offsets continue gap-free, as seen by a member on a node that stays. Several rooms, because
/// whether a say reaches the room's next actor before its history does is a race (16: with fewer, the race was hit in too
/// few runs without the fix once says went straight to the room's live actor).
/// </summary>
[Collection("cluster")]
public sealed class HistoryHandOverUnderTrafficTests : IAsyncLifetime
{
    private const int Rooms = 16;
    private readonly ITestOutputHelper _output;
    private TestCluster _cluster = null!;

    public HistoryHandOverUnderTrafficTests(ITestOutputHelper output) => _output = output;

    public async Task InitializeAsync() =>
        _cluster = await TestCluster.StartAsync(3, LogLevel.Information, """chatcluster.history.rooms = [ { pattern = "*", size = 1000, ttl = 5m } ]""",
            // The race under test is a say overtaking the history; a node too busy to answer within the default 2 s (the
            // whole suite runs beside this test on two cores) is the timeout's limit, not this race.
            "chatcluster.rooms.rejoin-timeout = 20s",
            // A sender's connection closed here twice in CI with no cause we could see: the nodes' info lines are kept for
            // the test's output (see the senders below).
            "akka.loglevel = INFO");

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    private async Task<TcpTestClient> Tcp(int node) => await (await TcpTestClient.ConnectAsync(_cluster[node].TcpPort)).Welcomed();

    private static bool IsResponse(JsonObject m) => HistoryClients.IsResponse(m);

    [Fact]
    public async Task A_graceful_leave_under_traffic_should_keep_every_moving_rooms_epoch_and_gap_free_offsets()
    {
        var leaving = _cluster[0]; // the oldest node: the shard coordinator moves too, as when node 1 left in the chaos run
        var rooms = new List<string>();
        for (var i = 0; i < Rooms; i++) rooms.Add(await _cluster.RoomHostedOnAsync(leaving, "busy"));

        var listeners = new List<(TcpTestClient Client, string Epoch)>();
        var senders = new List<TcpTestClient>(); // replaced when one reconnects (below)
        try
        {
            foreach (var room in rooms)
            {
                var listener = await Tcp(1);
                var joined = await listener.ReadUntilAsync(IsResponse, sendFirst: $"roomAdd {room} positions");
                listeners.Add((listener, (string)joined["data"]!["epoch"]!));
                for (var node = 1; node < 3; node++)
                {
                    var sender = await Tcp(node);
                    Assert.Equal("OK", (string?)(await sender.ReadUntilAsync(IsResponse, sendFirst: $"roomAdd {room}"))["status"]);
                    senders.Add(sender);
                }
            }

            // Every sender says one message after another (each waits for its answer) until told to stop; the answers
            // may be errors while the room moves (the client would retry), never a silent loss.
            using var stop = new CancellationTokenSource();
            var saying = senders.Select((_, i) => Task.Run(async () =>
            {
                var room = rooms[i / 2];
                var seen = new List<JsonObject>();
                var reconnects = 0;
                for (var n = 0; n < 10_000 && !stop.IsCancellationRequested; n++)
                {
                    if (seen.Count > 20) seen.RemoveRange(0, seen.Count - 20);
                    try
                    {
                        seen.Add(await senders[i].ReadUntilAsync(IsResponse, seen, timeout: Timeouts.Expect * 3, sendFirst: $"say {room} s{i}-{n}"));
                    }
                    catch (IOException e) when (reconnects < 3)
                    {
                        // Seen in 2 of 5 CI runs, never here in 9 full-suite runs (3 with CPU burners): a sender's connection on a node that stays closed
                        // during the leave, with no line before it. It is not what this test is about (the rooms' epochs and
                        // offsets, seen by the listeners), so the sender does what a client does, reconnects and rejoins;
                        // what it saw and the nodes' logs go to the test's output and to TestNotices (printed by CI).
                        reconnects++;
                        var notice = $"sender {i} (node {1 + i % 2}, room {i / 2}) at say {n}: {e.Message}; its last lines:\n" +
                            string.Join("\n", seen.Select(m => m.ToJsonString())) + "\nthe nodes' logs:\n" + _cluster.LogText();
                        _output.WriteLine(notice);
                        TestNotices.Write(nameof(HistoryHandOverUnderTrafficTests), notice);
                        await senders[i].DisposeAsync();
                        senders[i] = await Tcp(1 + i % 2);
                        // The room may be moving: a client retries its join (bounded) as it retries a say.
                        string? joined = null;
                        for (var attempt = 0; attempt < 20 && joined != "OK"; attempt++)
                            joined = (string?)(await senders[i].ReadUntilAsync(IsResponse, sendFirst: $"roomAdd {room}", timeout: Timeouts.Expect * 3))["status"];
                        Assert.Equal("OK", joined);
                    }
                }
            })).ToList();

            await Task.Delay(TimeSpan.FromMilliseconds(500)); // traffic is flowing before the leave
            await leaving.StopAsync(); // graceful: the rooms are handed over while the says keep coming
            await Task.Delay(TimeSpan.FromSeconds(1)); // and for a while after the rooms' next actors started
            stop.Cancel();
            await Task.WhenAll(saying);

            for (var r = 0; r < Rooms; r++)
            {
                Assert.Equal("OK", (string?)(await senders[2 * r].ReadUntilAsync(IsResponse, sendFirst: $"say {rooms[r]} the end"))["status"]);
                var (listener, epoch) = listeners[r];
                var chat = new List<JsonObject>();
                try
                {
                    chat.Add(await listener.ReadUntilAsync(m => (string?)m["message"] == "the end", chat, timeout: Timeouts.Expect * 3));
                }
                catch (IOException e)
                {
                    throw new IOException($"listener of room {r} (node 1): {e.Message}; the nodes' logs:\n{_cluster.LogText()}", e);
                }
                var said = chat.Where(m => m["offset"] is not null).ToList();
                Assert.All(said, m => Assert.True(epoch == (string?)m["epoch"], $"room {r}: epoch {epoch} became {(string?)m["epoch"]} at {m.ToJsonString()}"));
                var offsets = said.Select(m => (long)m["offset"]!).ToList();
                Assert.Equal(Enumerable.Range((int)offsets[0], offsets.Count).Select(o => (long)o), offsets);
            }
        }
        finally
        {
            foreach (var (client, _) in listeners) await client.DisposeAsync();
            foreach (var sender in senders) await sender.DisposeAsync();
        }
    }
}
