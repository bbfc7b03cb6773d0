using System.Buffers;
using System.Text;
using ChatCluster.Bench.Load;
using ChatCluster.Transports;

namespace ChatCluster.Tests.Bench;

/// <summary>The load tool's own pure parts: body marker, latency histogram, client framing, options.</summary>
public class LoadToolTests
{
    public static TheoryData<string, int, long, int> Bodies => new()
    {
        { "smallest", 0, 0, 0 },
        { "typical", 7, 621_913_311, 0 },
        { "padded", 1234, 9_876_543_210_123, 100 },
        { "largest", int.MaxValue, long.MaxValue, 3 },
    };

    [Theory]
    [MemberData(nameof(Bodies))]
    public void Body_marker_should_round_trip_inside_each_wire_format(string name, int sender, long micros, int pad)
    {
        var body = new byte[BodyMarker.MaxUnpaddedLength + pad];
        int n = BodyMarker.Write(body, sender, micros, pad);
        var text = Encoding.ASCII.GetString(body, 0, n);
        Assert.Equal($"~L~{sender}~{micros}~{new string('x', pad)}", text);

        foreach (var frame in new[]
        {
            $"{{\"message\":\"{text}\",\"room\":\"defaultRoom\",\"from\":\"c1\",\"context\":\"user\",\"sentAt\":1}}",
            $"{{\"type\":1,\"target\":\"say\",\"arguments\":[{{\"message\":\"{text}\",\"room\":\"r\"}}]}}\u001e",
        })
        {
            var bytes = Encoding.UTF8.GetBytes(frame);
            int at = BodyMarker.Find(bytes);
            Assert.True(at > 0, name);
            Assert.True(BodyMarker.TryRead(bytes, at, out int s, out long t), name);
            Assert.Equal(sender, s);
            Assert.Equal(micros, t);
        }
    }

    [Theory]
    [InlineData("no marker here", -1, false)]
    [InlineData("~L~12~34", 0, false)]      // time not terminated
    [InlineData("~L~~34~", 0, false)]       // no sender digits
    [InlineData("~L~1x~34~", 0, false)]     // junk after the sender
    [InlineData("ab~L~1~2~", 2, true)]
    public void Body_marker_should_reject_truncated_or_foreign_text(string text, int expectedIndex, bool readable)
    {
        var bytes = Encoding.ASCII.GetBytes(text);
        Assert.Equal(expectedIndex, BodyMarker.Find(bytes));
        if (expectedIndex >= 0) Assert.Equal(readable, BodyMarker.TryRead(bytes, expectedIndex, out _, out _));
    }

    [Fact]
    public void Histogram_should_be_exact_below_256us_and_within_one_percent_above()
    {
        for (long v = 0; v < 256; v++) Assert.Equal(v, LatencyHistogram.Value(LatencyHistogram.Index(v)));
        foreach (long v in new long[] { 256, 1000, 12_345, 999_999, 60_000_000 })
        {
            double got = LatencyHistogram.Value(LatencyHistogram.Index(v));
            Assert.InRange(Math.Abs(got - v) / v, 0, 0.01);
        }
        Assert.Equal(LatencyHistogram.Size - 1, LatencyHistogram.Index(long.MaxValue));
    }

    [Fact]
    public void Histogram_percentiles_should_follow_the_nearest_rank_and_cap_at_the_exact_max()
    {
        var h = new LatencyHistogram();
        Assert.Null(h.PercentileMs(0.5));
        for (long us = 1; us <= 200; us++) h.Record(us * 1000 / 1000); // 1..200 µs, exact buckets
        Assert.Equal(0.1, h.PercentileMs(0.5));   // 100th of 200
        Assert.Equal(0.198, h.PercentileMs(0.99)); // ceil(198)
        Assert.Equal(0.2, h.PercentileMs(1.0));

        var single = new LatencyHistogram();
        single.Record(123_457);                       // bucket middle is above the value: capped at max
        Assert.Equal(123.457, single.PercentileMs(0.99));
        Assert.Equal(123.457, (double)single.Summary()["max"]!);
    }

    [Fact]
    public void Histograms_should_merge_by_summing_counts_and_keeping_the_larger_max()
    {
        var a = new LatencyHistogram();
        var b = new LatencyHistogram();
        for (int i = 0; i < 90; i++) a.Record(100);
        for (int i = 0; i < 10; i++) b.Record(50_000);
        a.Add(new LatencyHistogram((long[])b.Counts.Clone(), b.MaxMicros));
        Assert.Equal(100, a.Count);
        Assert.Equal(0.1, a.PercentileMs(0.9));
        Assert.Equal(50.0, a.PercentileMs(0.91));
        Assert.Equal(50_000, a.MaxMicros);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(5)]
    [InlineData(125)]
    [InlineData(126)]
    [InlineData(70_000)]
    public void Client_frames_should_parse_with_the_servers_codec(int length)
    {
        var payload = new byte[length];
        for (int i = 0; i < length; i++) payload[i] = (byte)('a' + i % 26);
        var frame = ClientFrames.Masked(ClientFrames.OpText, payload, 0x12345678);
        Assert.Equal(ClientFrames.HeaderSize(length) + length, frame.Length);

        var seq = new ReadOnlySequence<byte>(frame);
        Assert.Equal(FrameParseStatus.Frame, WebSocketFrameCodec.TryParse(ref seq, 1 << 20, out var parsed, out _));
        Assert.True(seq.IsEmpty);
        Assert.True(parsed.Fin);
        Assert.Equal(WebSocketOpcode.Text, parsed.Opcode);
        Assert.Equal(payload, parsed.Payload);
    }

    [Fact]
    public void Server_frame_headers_should_need_more_until_complete()
    {
        var frame = new byte[4 + 300];
        WebSocketFrameCodec.WriteHeader(frame, WebSocketOpcode.Text, 300);
        Assert.False(ClientFrames.TryReadHeader(frame.AsSpan(0, 1), out _, out _, out _, out _, out _));
        Assert.False(ClientFrames.TryReadHeader(frame.AsSpan(0, 3), out _, out _, out _, out _, out _));
        Assert.True(ClientFrames.TryReadHeader(frame, out int h, out long len, out byte op, out bool fin, out bool masked));
        Assert.Equal((4, 300L, ClientFrames.OpText, true, false), (h, len, op, fin, masked));
    }

    [Fact]
    public void Options_should_default_like_ahload()
    {
        var fanout = LoadOptions.Parse("fanout", []);
        Assert.Equal((10, 1000.0, "ws://127.0.0.1:8080/primus", 1), (fanout.EffectiveSenders, fanout.EffectiveRate, fanout.Url, fanout.RoomCount));
        var rooms = LoadOptions.Parse("rooms", ["--clients", "1000", "--rooms", "100", "--protocol", "signalr"]);
        Assert.Equal((1000, 1.0, "ws://127.0.0.1:8190/chat", "room7"), (rooms.EffectiveSenders, rooms.EffectiveRate, rooms.Url, rooms.RoomName(rooms.RoomIndex(107))));
        var tcp = LoadOptions.Parse("connect", ["--transport", "tcp", "--port", "5300", "--local-addresses", "3", "--processes", "8", "--clients", "4"]);
        Assert.Equal((LoadProtocol.Line, 4, "127.0.0.3"), (tcp.WireProtocol, tcp.Processes, tcp.LocalAddresses[2].ToString()));
        Assert.False(tcp.Joins);
        Assert.Throws<ArgumentException>(() => LoadOptions.Parse("fanout", ["--bogus"]));
    }
}
