using System.Text;
using Akka.Actor;
using ChatCluster.Node.Core;
using ChatCluster.Node.Rooms;
using ChatCluster.Tests.Support;
using ChatCluster.Transports;

namespace ChatCluster.Tests.Unit;

/// <summary>The fan-out lanes: every member gets every message, each in the order it was handed over, and flushed.</summary>
public class FanoutLanesTests
{
    /// <summary>Records what was written and what of it was flushed; completes once <c>expected</c> messages are flushed.</summary>
    private sealed class RecordingTransport(int expected) : IClientTransport
    {
        private readonly object _gate = new();
        private readonly List<string> _written = new();
        private int _flushed;

        public TaskCompletionSource AllFlushed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public string Type => "websocket";

        public IResponseFormat Format => WebSocketResponseFormat.Instance;

        public ClientDialect Dialect => ClientDialect.WebSocket;

        public List<string> Flushed
        {
            get { lock (_gate) return _written.GetRange(0, _flushed); }
        }

        public bool Send(ReadOnlyMemory<byte> json)
        {
            Write(json);
            Flush();
            return true;
        }

        public bool Write(ReadOnlyMemory<byte> json)
        {
            lock (_gate) _written.Add(Encoding.UTF8.GetString(json.Span));
            return true;
        }

        public void Flush()
        {
            lock (_gate)
            {
                _flushed = _written.Count;
                if (_flushed >= expected) AllFlushed.TrySetResult();
            }
        }

        public void Goodbye() { }

        public void Abort(string reason) { }
    }

    private static LocalConnection Connection(string id, RecordingTransport transport) => new(id, transport, ActorRefs.Nobody, ConnectionView.Server);

    [Fact]
    public void Split_should_put_each_member_in_its_own_lane_once()
    {
        var lanes = new FanoutLanes(3);
        var members = Enumerable.Range(0, 100).Select(i => Connection("c" + i, new RecordingTransport(0))).ToList();
        var split = lanes.Split(members);
        Assert.Equal(3, split.Length);
        Assert.Equal(members.Select(m => m.Id).Order(), split.SelectMany(l => l).Select(m => m.Id).Order());
        for (var l = 0; l < split.Length; l++) Assert.All(split[l], m => Assert.Equal(l, lanes.LaneOf(m.Id)));
    }

    [Fact]
    public async Task Every_member_should_get_every_message_in_order_and_flushed_even_from_two_rooms_at_once()
    {
        const int perRoom = 2000;
        var lanes = new FanoutLanes(2);
        // a and b are in room A only, c and d in both rooms: they get both rooms' messages.
        var transports = new Dictionary<string, RecordingTransport>
        {
            ["a"] = new(perRoom), ["b"] = new(perRoom), ["c"] = new(2 * perRoom), ["d"] = new(2 * perRoom),
        };
        var roomA = lanes.Split(new[] { "a", "b", "c", "d" }.Select(id => Connection(id, transports[id])).ToList());
        var roomB = lanes.Split(new[] { "c", "d" }.Select(id => Connection(id, transports[id])).ToList());

        var postA = Task.Run(() =>
        {
            for (var i = 0; i < perRoom; i++) lanes.Post(roomA, Encoding.UTF8.GetBytes("A" + i));
        });
        var postB = Task.Run(() =>
        {
            for (var i = 0; i < perRoom; i++) lanes.Post(roomB, Encoding.UTF8.GetBytes("B" + i));
        });
        await Task.WhenAll(postA, postB).WaitAsync(Timeouts.Expect);
        await Task.WhenAll(transports.Values.Select(t => t.AllFlushed.Task)).WaitAsync(Timeouts.Expect);

        var expectedA = Enumerable.Range(0, perRoom).Select(i => "A" + i).ToList();
        var expectedB = Enumerable.Range(0, perRoom).Select(i => "B" + i).ToList();
        foreach (var (id, transport) in transports)
        {
            var got = transport.Flushed;
            Assert.Equal(expectedA, got.Where(m => m[0] == 'A').ToList());
            if (id is "c" or "d") Assert.Equal(expectedB, got.Where(m => m[0] == 'B').ToList());
            else Assert.DoesNotContain(got, m => m[0] == 'B');
        }
    }
}
