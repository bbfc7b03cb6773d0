using System.Text;
using System.Text.RegularExpressions;
using ChatCluster.Tests.Support;

namespace ChatCluster.Tests.Wire;

/// <summary>
/// The Primus heartbeat on a node pinging every second (spec 6.1, Appendix "Heartbeat"): pings are
/// <c>"primus::ping::&lt;ms&gt;"</c>; a pong (or a websocket-level ping) before the next tick keeps the
/// connection; otherwise it is closed without <c>"primus::server::close"</c> and leaves its rooms.
/// </summary>
public sealed partial class PrimusHeartbeatTests : IClassFixture<FastHeartbeatFixture>
{
    [GeneratedRegex("^\"primus::ping::([0-9]+)\"$")]
    private static partial Regex Ping();

    private readonly FastHeartbeatFixture _node;

    public PrimusHeartbeatTests(FastHeartbeatFixture node) => _node = node;

    [Fact]
    public async Task The_server_should_ping_and_a_client_answering_every_ping_should_stay_connected()
    {
        await using var ws = await (await _node.Ws()).Welcomed();
        var before = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var stamps = new List<long>();
        while (stamps.Count < 5) // five intervals: the server would have dropped us after two without pongs
        {
            var text = await ws.ReadTextAsync();
            var ping = Ping().Match(text);
            Assert.True(ping.Success, "expected only pings, got " + text);
            stamps.Add(long.Parse(ping.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));
            await ws.SendTextAsync($"\"primus::pong::{ping.Groups[1].Value}\"");
        }
        Assert.All(stamps, s => Assert.InRange(s, before - 1000, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()));
        Assert.Equal(stamps.Order(), stamps);

        // Still connected and served (a ping may come first).
        await ws.SendJsonAsync(new { @event = "detailsView", messageId = "alive" });
        var reply = await ws.ReadUntilAsync(m => (string?)m["messageId"] == "alive");
        Assert.Equal("OK", (string?)reply["status"]);
    }

    [Fact]
    public async Task A_client_that_never_answers_should_be_closed_without_server_close_and_leave_its_rooms()
    {
        var room = await _node.NewRoomAsync();
        await using var ws = await (await _node.Ws()).Welcomed();
        await ws.SendJsonAsync(new { @event = "roomAdd", room, messageId = "join" });
        Assert.Equal("OK", (string?)(await ws.ReadUntilAsync(m => (string?)m["messageId"] == "join"))["status"]);
        var members = (await _node.Node.Api.StatusAsync(room)).Members;
        var id = Assert.Single(members).ConnectionId;

        var texts = await ws.ReadToCloseAsync();
        Assert.NotEmpty(texts);
        Assert.All(texts, t => Assert.Matches(Ping(), t)); // pings only: no "primus::server::close"
        await Eventually.TrueAsync(async () => (await _node.Node.Api.StatusAsync(room)).Members.All(m => m.ConnectionId != id),
            $"{id} is still a member of {room} after the heartbeat timeout");
    }

    [Fact]
    public async Task Application_frames_alone_should_not_keep_a_connection_alive()
    {
        await using var ws = await (await _node.Ws()).Welcomed();
        var deadline = DateTime.UtcNow + Timeouts.Expect;
        var n = 0;
        var closed = false;
        while (!closed && DateTime.UtcNow < deadline)
        {
            try
            {
                await ws.SendJsonAsync(new { @event = "detailsView", messageId = ++n });
                var text = await ws.ReadTextAsync();
                Assert.True(text.StartsWith("{\"status\":\"OK\"", StringComparison.Ordinal) || Ping().IsMatch(text), text);
            }
            catch (Exception e) when (e is System.Net.WebSockets.WebSocketException or IOException)
            {
                closed = true;
            }
        }
        Assert.True(closed, $"still open after {n} requests without pongs");
    }

    [Fact]
    public async Task Websocket_level_pings_from_the_client_should_count_as_liveness()
    {
        await using var raw = await RawWebSocketClient.ConnectAsync(_node.WebPort);
        Assert.Contains("welcome", (await raw.ReadFrameAsync()).AsText, StringComparison.Ordinal);
        var primusPings = 0;
        while (primusPings < 5) // never a Primus pong: only websocket pings, one per Primus ping
        {
            var frame = await raw.ReadFrameAsync();
            if (frame.Opcode == RawFrame.Pong) continue;
            Assert.Equal(RawFrame.Text, frame.Opcode);
            Assert.Matches(Ping(), frame.AsText);
            primusPings++;
            await raw.SendFrameAsync(RawFrame.Ping, Encoding.ASCII.GetBytes("hb" + primusPings));
        }
        await raw.SendTextAsync("{\"event\":\"detailsView\",\"messageId\":\"alive\"}");
        while (true)
        {
            var frame = await raw.ReadFrameAsync();
            Assert.NotEqual(RawFrame.Close, frame.Opcode);
            if (frame.Opcode == RawFrame.Text && frame.AsText.Contains("\"alive\"", StringComparison.Ordinal)) break;
        }
    }
}
