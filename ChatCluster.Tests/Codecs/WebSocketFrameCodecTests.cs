using System.Buffers;
using System.Text;
using ChatCluster.Transports;
using static ChatCluster.Bench.Load.ClientFrames;

namespace ChatCluster.Tests.Codecs;

public class WebSocketFrameCodecTests
{
    // Payload bytes that differ at every offset, so a misplaced or unmasked byte shows.
    private static byte[] Pattern(int length)
    {
        var data = new byte[length];
        for (int i = 0; i < length; i++)
            data[i] = (byte)(i * 31 + 7);
        return data;
    }

    private const long DefaultMax = 1 << 20;

    public sealed record ParseCase(byte[] Bytes, FrameParseStatus Status, ushort CloseCode = 0,
        bool Fin = true, WebSocketOpcode Opcode = default, byte[]? Payload = null, long Max = DefaultMax, int Trailing = 0);

    private static ParseCase Ok(byte[] bytes, WebSocketOpcode opcode, byte[] payload, bool fin = true, long max = DefaultMax, int trailing = 0) =>
        new(bytes, FrameParseStatus.Frame, 0, fin, opcode, payload, max, trailing);

    private static ParseCase Err(ushort code, byte[] bytes, long max = DefaultMax) =>
        new(bytes, FrameParseStatus.Error, code, Max: max);

    private static byte[] A(string s) => Encoding.UTF8.GetBytes(s);

    private static readonly Dictionary<string, ParseCase> ValidFrames = new()
    {
        // RFC 6455 5.7: a single-frame masked text message, "Hello".
        ["rfc_masked_hello"] = Ok([0x81, 0x85, 0x37, 0xFA, 0x21, 0x3D, 0x7F, 0x9F, 0x4D, 0x51, 0x58], WebSocketOpcode.Text, A("Hello")),
        ["empty_text"] = Ok(Frame(0x81, []), WebSocketOpcode.Text, []),
        ["binary"] = Ok(Frame(0x82, [0, 1, 2, 0xFF]), WebSocketOpcode.Binary, [0, 1, 2, 0xFF]),
        ["len_125_seven_bit"] = Ok(Frame(0x82, Pattern(125)), WebSocketOpcode.Binary, Pattern(125)),
        ["len_126_sixteen_bit"] = Ok(Frame(0x82, Pattern(126)), WebSocketOpcode.Binary, Pattern(126)),
        ["len_65535_sixteen_bit"] = Ok(Frame(0x82, Pattern(65535)), WebSocketOpcode.Binary, Pattern(65535)),
        ["len_65536_sixty_four_bit"] = Ok(Frame(0x82, Pattern(65536)), WebSocketOpcode.Binary, Pattern(65536)),
        // The ws library accepts lengths in a longer form than needed; so do we.
        ["short_payload_in_sixteen_bit_form"] = Ok(Frame(0x81, A("hi"), LengthForm.Bits16), WebSocketOpcode.Text, A("hi")),
        ["short_payload_in_sixty_four_bit_form"] = Ok(Frame(0x81, A("hi"), LengthForm.Bits64), WebSocketOpcode.Text, A("hi")),
        ["payload_of_exactly_max"] = Ok(Frame(0x82, Pattern(300)), WebSocketOpcode.Binary, Pattern(300), max: 300),
        ["zero_mask"] = Ok(Frame(0x81, A("plain"), mask: [0, 0, 0, 0]), WebSocketOpcode.Text, A("plain")),
        ["first_fragment"] = Ok(Frame(0x01, A("Hel")), WebSocketOpcode.Text, A("Hel"), fin: false),
        ["middle_continuation"] = Ok(Frame(0x00, A("l")), WebSocketOpcode.Continuation, A("l"), fin: false),
        ["final_continuation"] = Ok(Frame(0x80, A("lo")), WebSocketOpcode.Continuation, A("lo")),
        ["ping_with_payload"] = Ok(Frame(0x89, A("ping!")), WebSocketOpcode.Ping, A("ping!")),
        ["ping_with_125_bytes"] = Ok(Frame(0x89, Pattern(125)), WebSocketOpcode.Ping, Pattern(125)),
        ["pong_empty"] = Ok(Frame(0x8A, []), WebSocketOpcode.Pong, []),
        ["close_with_code"] = Ok(Frame(0x88, [0x03, 0xE8]), WebSocketOpcode.Close, [0x03, 0xE8]),
        ["consumes_only_first_of_two"] = Ok([.. Text("one"), .. Text("two")], WebSocketOpcode.Text, A("one"), trailing: 9),
    };

    private static readonly Dictionary<string, ParseCase> InvalidFrames = new()
    {
        ["unmasked_text"] = Err(1002, [0x81, 0x02, 0x68, 0x69]),
        ["unmasked_known_from_two_bytes"] = Err(1002, [0x81, 0x02]),
        ["rsv1"] = Err(1002, Frame(0xC1, A("x"))),
        ["rsv2"] = Err(1002, Frame(0xA1, A("x"))),
        ["rsv3"] = Err(1002, Frame(0x91, A("x"))),
        ["opcode_3"] = Err(1002, Frame(0x83, A("x"))),
        ["opcode_7"] = Err(1002, Frame(0x87, A("x"))),
        ["opcode_11"] = Err(1002, Frame(0x8B, A("x"))),
        ["opcode_15"] = Err(1002, Frame(0x8F, A("x"))),
        ["ping_with_126_bytes"] = Err(1002, Frame(0x89, Pattern(126))),
        ["close_with_126_bytes_header_only"] = Err(1002, [0x88, 0xFE]),
        ["ping_not_fin"] = Err(1002, Frame(0x09, A("x"))),
        ["close_not_fin"] = Err(1002, Frame(0x08, [0x03, 0xE8])),
        ["length_high_bit_set"] = Err(1002, [0x82, 0xFF, 0x80, 0, 0, 0, 0, 0, 0, 0x01]),
        ["length_all_ones"] = Err(1002, [0x82, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]),
        ["payload_over_max_seven_bit"] = Err(1009, Frame(0x82, Pattern(101)), max: 100),
        // 1009 from the header alone: no mask key and no payload bytes have arrived.
        ["payload_over_max_sixteen_bit_header_only"] = Err(1009, [0x82, 0xFE, 0x01, 0x00], max: 255),
        ["payload_over_max_sixty_four_bit_header_only"] = Err(1009, [0x81, 0xFF, 0, 0, 0, 0, 0x7F, 0xFF, 0xFF, 0xFF]),
        // Like ws' maxPayload, the limit applies to every frame, control frames included.
        ["control_frame_over_max"] = Err(1009, Frame(0x89, A("abc")), max: 2),
        ["continuation_over_max_header_only"] = Err(1009, [0x00, 0xFE, 0x10, 0x00], max: 4095),
    };

    public static TheoryData<string, string> ValidCases() => Chunking.WithModes(ValidFrames.Keys);
    public static TheoryData<string, string> InvalidCases() => Chunking.WithModes(InvalidFrames.Keys);
    public static TheoryData<string> ValidCaseNames() => new(ValidFrames.Keys);

    [Theory, MemberData(nameof(ValidCases))]
    public void WebSocketFrameCodec_should_parse_masked_client_frames(string name, string mode)
    {
        var c = ValidFrames[name];
        var buffer = Chunking.Split(c.Bytes, mode);

        var status = WebSocketFrameCodec.TryParse(ref buffer, c.Max, out var frame, out var closeCode);

        Assert.Equal(FrameParseStatus.Frame, status);
        Assert.Equal(0, closeCode);
        Assert.Equal(c.Fin, frame.Fin);
        Assert.Equal(c.Opcode, frame.Opcode);
        Assert.Equal(c.Payload, frame.Payload);
        Assert.Equal(c.Trailing, buffer.Length);
    }

    [Theory, MemberData(nameof(InvalidCases))]
    public void WebSocketFrameCodec_should_reject_invalid_frames_with_close_code(string name, string mode)
    {
        var c = InvalidFrames[name];
        var buffer = Chunking.Split(c.Bytes, mode);

        var status = WebSocketFrameCodec.TryParse(ref buffer, c.Max, out var frame, out var closeCode);

        Assert.Equal(FrameParseStatus.Error, status);
        Assert.Equal(c.CloseCode, closeCode);
        Assert.Equal(default, frame);
        Assert.Equal(c.Bytes.Length, buffer.Length);
    }

    [Theory, MemberData(nameof(ValidCaseNames))]
    public void WebSocketFrameCodec_should_need_more_and_consume_nothing_for_every_prefix(string name)
    {
        var c = ValidFrames[name];
        int frameLength = c.Bytes.Length - c.Trailing;
        // Per-byte segments for short frames; the long ones are sampled to keep the run fast.
        int step = frameLength > 300 ? 97 : 1;
        for (int prefix = 0; prefix < frameLength; prefix += step)
        {
            var mode = frameLength > 300 ? "random-7" : Chunking.PerByte;
            var buffer = Chunking.Split(c.Bytes.AsSpan(0, prefix), mode);
            var status = WebSocketFrameCodec.TryParse(ref buffer, c.Max, out var frame, out var closeCode);
            Assert.True(status == FrameParseStatus.NeedMore, $"prefix {prefix}: {status} {closeCode}");
            Assert.Equal(prefix, buffer.Length);
            Assert.Equal(default, frame);
        }
    }

    [Fact]
    public void WebSocketFrameCodec_should_parse_a_stream_of_frames_one_at_a_time()
    {
        byte[] stream = [.. Frame(0x01, A("Hel")), .. Frame(0x89, []), .. Frame(0x80, A("lo")), .. Frame(0x88, [0x03, 0xE8])];
        foreach (var mode in Chunking.Modes)
        {
            var buffer = Chunking.Split(stream, mode);
            var frames = new List<WebSocketFrame>();
            while (WebSocketFrameCodec.TryParse(ref buffer, DefaultMax, out var frame, out _) == FrameParseStatus.Frame)
                frames.Add(frame);

            Assert.Equal([WebSocketOpcode.Text, WebSocketOpcode.Ping, WebSocketOpcode.Continuation, WebSocketOpcode.Close],
                frames.Select(f => f.Opcode));
            Assert.Equal([false, true, true, true], frames.Select(f => f.Fin));
            Assert.Equal("Hello", Encoding.UTF8.GetString([.. frames[0].Payload, .. frames[2].Payload]));
            Assert.True(buffer.IsEmpty);
        }
    }

    // Server frames: opcode, payload length → exact header bytes (payload follows unmasked).
    private static readonly Dictionary<string, (WebSocketOpcode Opcode, int Length, byte[] Header)> WriteCases = new()
    {
        ["text_empty"] = (WebSocketOpcode.Text, 0, [0x81, 0x00]),
        ["text_5"] = (WebSocketOpcode.Text, 5, [0x81, 0x05]),
        ["binary_125"] = (WebSocketOpcode.Binary, 125, [0x82, 0x7D]),
        ["binary_126"] = (WebSocketOpcode.Binary, 126, [0x82, 0x7E, 0x00, 0x7E]),
        ["text_65535"] = (WebSocketOpcode.Text, 65535, [0x81, 0x7E, 0xFF, 0xFF]),
        ["text_65536"] = (WebSocketOpcode.Text, 65536, [0x81, 0x7F, 0, 0, 0, 0, 0, 0x01, 0x00, 0x00]),
        ["ping_4"] = (WebSocketOpcode.Ping, 4, [0x89, 0x04]),
        ["pong_125"] = (WebSocketOpcode.Pong, 125, [0x8A, 0x7D]),
        ["close_empty"] = (WebSocketOpcode.Close, 0, [0x88, 0x00]),
    };

    public static TheoryData<string> WriteCaseNames() => new(WriteCases.Keys);

    [Theory, MemberData(nameof(WriteCaseNames))]
    public void WebSocketFrameCodec_should_write_unmasked_fin_frames(string name)
    {
        var (opcode, length, header) = WriteCases[name];
        var payload = Pattern(length);

        var output = new ArrayBufferWriter<byte>();
        WebSocketFrameCodec.WriteFrame(output, opcode, payload);
        Assert.Equal([.. header, .. payload], output.WrittenSpan.ToArray());

        Assert.Equal(header.Length, WebSocketFrameCodec.HeaderSize(length));
        var dest = new byte[16];
        Assert.Equal(header.Length, WebSocketFrameCodec.WriteHeader(dest, opcode, length));
        Assert.Equal(header, dest[..header.Length]);
    }

    [Fact]
    public void WebSocketFrameCodec_should_write_many_frames_into_one_buffer()
    {
        string[] messages = ["a", new string('b', 200), "c"];
        int total = messages.Sum(m => WebSocketFrameCodec.HeaderSize(m.Length) + m.Length);
        var buffer = new byte[total];
        int offset = 0;
        foreach (var m in messages)
        {
            offset += WebSocketFrameCodec.WriteHeader(buffer.AsSpan(offset), WebSocketOpcode.Text, m.Length);
            offset += Encoding.UTF8.GetBytes(m, buffer.AsSpan(offset));
        }

        Assert.Equal(total, offset);
        Assert.Equal([0x81, 0x01, (byte)'a', 0x81, 0x7E, 0x00, 0xC8], buffer[..7]);
        Assert.Equal([0x81, 0x01, (byte)'c'], buffer[^3..]);
    }

    [Fact]
    public void WebSocketFrameCodec_should_refuse_to_write_oversized_control_frames()
    {
        var output = new ArrayBufferWriter<byte>();
        Assert.Throws<ArgumentOutOfRangeException>(() => WebSocketFrameCodec.WriteFrame(output, WebSocketOpcode.Ping, new byte[126]));
        Assert.Throws<ArgumentOutOfRangeException>(() => WebSocketFrameCodec.WriteClose(output, 1000, new string('x', 124)));
        Assert.Throws<ArgumentException>(() => WebSocketFrameCodec.WriteClose(output, null, "reason without code"));
        Assert.Equal(0, output.WrittenCount);
    }

    private static readonly Dictionary<string, (ushort? Code, string? Reason, byte[] Bytes)> CloseWriteCases = new()
    {
        ["no_code"] = (null, null, [0x88, 0x00]),
        ["normal"] = (1000, null, [0x88, 0x02, 0x03, 0xE8]),
        ["going_away_with_reason"] = (1001, "bye", [0x88, 0x05, 0x03, 0xE9, (byte)'b', (byte)'y', (byte)'e']),
        ["message_too_big"] = (1009, "", [0x88, 0x02, 0x03, 0xF1]),
        ["multibyte_reason"] = (4000, "é", [0x88, 0x04, 0x0F, 0xA0, 0xC3, 0xA9]),
        ["longest_reason"] = (1000, new string('r', 123), [0x88, 0x7D, 0x03, 0xE8, .. Enumerable.Repeat((byte)'r', 123)]),
    };

    public static TheoryData<string> CloseWriteCaseNames() => new(CloseWriteCases.Keys);

    [Theory, MemberData(nameof(CloseWriteCaseNames))]
    public void WebSocketFrameCodec_should_write_close_frames(string name)
    {
        var (code, reason, bytes) = CloseWriteCases[name];
        var output = new ArrayBufferWriter<byte>();
        WebSocketFrameCodec.WriteClose(output, code, reason);
        Assert.Equal(bytes, output.WrittenSpan.ToArray());
    }

    private static readonly Dictionary<string, (byte[] Payload, bool Valid, ushort? Code)> CloseReadCases = new()
    {
        ["empty_body"] = ([], true, null),
        ["normal"] = ([0x03, 0xE8], true, 1000),
        ["with_reason"] = ([0x03, 0xE9, (byte)'b', (byte)'y', (byte)'e'], true, 1001),
        ["message_too_big"] = ([0x03, 0xF1], true, 1009),
        ["highest_iana_code"] = ([0x03, 0xF6], true, 1014),
        ["registered_3000"] = ([0x0B, 0xB8], true, 3000),
        ["private_4999"] = ([0x13, 0x87], true, 4999),
        ["one_byte_body"] = ([0x03], false, null),
        ["code_999"] = ([0x03, 0xE7], false, null),
        ["reserved_1004"] = ([0x03, 0xEC], false, null),
        ["no_status_1005_on_wire"] = ([0x03, 0xED], false, null),
        ["abnormal_1006_on_wire"] = ([0x03, 0xEE], false, null),
        ["tls_1015_on_wire"] = ([0x03, 0xF7], false, null),
        ["unassigned_2000"] = ([0x07, 0xD0], false, null),
        ["code_5000"] = ([0x13, 0x88], false, null),
        ["reason_not_utf8"] = ([0x03, 0xE8, 0xFF], false, null),
    };

    public static TheoryData<string> CloseReadCaseNames() => new(CloseReadCases.Keys);

    [Theory, MemberData(nameof(CloseReadCaseNames))]
    public void WebSocketFrameCodec_should_read_close_bodies(string name)
    {
        var (payload, valid, code) = CloseReadCases[name];
        Assert.Equal(valid, WebSocketFrameCodec.TryReadClose(payload, out var actual));
        Assert.Equal(code, actual);
    }
}
