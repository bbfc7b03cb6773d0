using System.Text;
using ChatCluster.Bench.Load;
using ChatCluster.Transports;

namespace ChatCluster.Tests.Codecs;

public class WebSocketMessageAssemblerTests
{
    private static WebSocketFrame F(bool fin, WebSocketOpcode opcode, string payload) =>
        new(fin, opcode, Encoding.UTF8.GetBytes(payload));

    private static WebSocketFrame F(bool fin, WebSocketOpcode opcode, byte[] payload) => new(fin, opcode, payload);

    private const WebSocketOpcode Cont = WebSocketOpcode.Continuation;
    private const WebSocketOpcode Text = WebSocketOpcode.Text;
    private const WebSocketOpcode Binary = WebSocketOpcode.Binary;
    private const WebSocketOpcode Ping = WebSocketOpcode.Ping;
    private const WebSocketOpcode Pong = WebSocketOpcode.Pong;
    private const WebSocketOpcode Close = WebSocketOpcode.Close;

    // Frames in arrival order → one rendered result per frame.
    private static readonly Dictionary<string, (long Max, WebSocketFrame[] Frames, string[] Results)> Cases = new()
    {
        ["single_text"] = (100, [F(true, Text, "hello")], ["message Text hello"]),
        ["single_binary"] = (100, [F(true, Binary, "\u0001\u0002")], ["message Binary 0102"]),
        ["empty_text"] = (100, [F(true, Text, "")], ["message Text "]),
        ["text_in_three_fragments"] = (100, [F(false, Text, "Hel"), F(false, Cont, "l"), F(true, Cont, "o")],
            ["incomplete", "incomplete", "message Text Hello"]),
        ["binary_in_two_fragments"] = (100, [F(false, Binary, [1]), F(true, Cont, [2, 3])], ["incomplete", "message Binary 010203"]),
        ["empty_fragments"] = (100, [F(false, Text, ""), F(false, Cont, "ab"), F(true, Cont, "")], ["incomplete", "incomplete", "message Text ab"]),
        ["ping_between_fragments"] = (100, [F(false, Text, "a"), F(true, Ping, "p"), F(true, Cont, "b")],
            ["incomplete", "control Ping p", "message Text ab"]),
        ["pong_and_close_pass_through"] = (100, [F(true, Pong, "x"), F(true, Close, [0x03, 0xE8])], ["control Pong x", "control Close 03E8"]),
        ["close_between_fragments"] = (100, [F(false, Binary, [1]), F(true, Close, [])], ["incomplete", "control Close "]),
        ["messages_back_to_back"] = (100, [F(false, Text, "a"), F(true, Cont, "b"), F(true, Text, "c")],
            ["incomplete", "message Text ab", "message Text c"]),
        ["utf8_split_across_fragments"] = (100, [F(false, Text, [0xE2, 0x82]), F(true, Cont, [0xAC])], ["incomplete", "message Text €"]),
        ["exactly_max_across_fragments"] = (4, [F(false, Text, "ab"), F(true, Cont, "cd")], ["incomplete", "message Text abcd"]),
        ["continuation_without_start"] = (100, [F(true, Cont, "x")], ["error 1002"]),
        ["unfinished_continuation_without_start"] = (100, [F(false, Cont, "x")], ["error 1002"]),
        ["text_while_message_open"] = (100, [F(false, Text, "a"), F(true, Text, "b")], ["incomplete", "error 1002"]),
        ["binary_while_message_open"] = (100, [F(false, Text, "a"), F(false, Binary, "b")], ["incomplete", "error 1002"]),
        ["fragmented_control"] = (100, [F(false, Ping, "p")], ["error 1002"]),
        ["unknown_opcode"] = (100, [F(true, (WebSocketOpcode)3, "x")], ["error 1002"]),
        ["single_frame_over_max"] = (4, [F(true, Text, "abcde")], ["error 1009"]),
        ["first_fragment_over_max"] = (4, [F(false, Text, "abcde")], ["error 1009"]),
        ["fragments_add_up_over_max"] = (4, [F(false, Text, "ab"), F(false, Cont, "cd"), F(true, Cont, "e")],
            ["incomplete", "incomplete", "error 1009"]),
        ["fresh_after_error"] = (4, [F(false, Text, "ab"), F(false, Cont, "cde"), F(true, Text, "ok")],
            ["incomplete", "error 1009", "message Text ok"]),
        ["text_not_utf8"] = (100, [F(true, Text, [0x61, 0xFF])], ["error 1007"]),
        ["fragmented_text_not_utf8"] = (100, [F(false, Text, [0xE2, 0x82]), F(true, Cont, "a")], ["incomplete", "error 1007"]),
        ["binary_need_not_be_utf8"] = (100, [F(true, Binary, [0xFF])], ["message Binary FF"]),
    };

    public static TheoryData<string> CaseNames() => new(Cases.Keys);

    [Theory, MemberData(nameof(CaseNames))]
    public void WebSocketMessageAssembler_should_assemble_messages(string name)
    {
        var (max, frames, expected) = Cases[name];
        var assembler = new WebSocketMessageAssembler(max);
        var results = frames.Select(f => Render(assembler.Push(f))).ToArray();
        Assert.Equal(expected, results);
    }

    [Fact]
    public void WebSocketMessageAssembler_should_reassemble_frames_parsed_from_split_reads()
    {
        byte[] wire =
        [
            .. ClientFrames.Frame(0x01, Encoding.UTF8.GetBytes("{\"event\":")),
            .. ClientFrames.Frame(0x89, Encoding.UTF8.GetBytes("hb")),
            .. ClientFrames.Frame(0x00, Encoding.UTF8.GetBytes("\"say\",")),
            .. ClientFrames.Frame(0x80, Encoding.UTF8.GetBytes("\"message\":\"€\"}")),
        ];
        foreach (var mode in Chunking.Modes)
        {
            var buffer = Chunking.Split(wire, mode);
            var assembler = new WebSocketMessageAssembler(1024);
            var results = new List<string>();
            while (WebSocketFrameCodec.TryParse(ref buffer, 1024, out var frame, out _) == FrameParseStatus.Frame)
                results.Add(Render(assembler.Push(frame)));

            Assert.Equal(["incomplete", "control Ping hb", "incomplete", "message Text {\"event\":\"say\",\"message\":\"€\"}"], results);
        }
    }

    [Theory]
    [InlineData("exactly_the_cap_completes", 4, 4, "message")]
    [InlineData("one_more_than_the_cap_is_1009", 5, 4, "error 1009")]
    [InlineData("empty_continuations_count", 5, 4, "error 1009")]
    public void WebSocketMessageAssembler_should_cap_fragments_per_message(string name, int fragments, int maxFragments, string expected)
    {
        var assembler = new WebSocketMessageAssembler(1024, maxFragments);
        var payload = name.StartsWith("empty", StringComparison.Ordinal) ? "" : "x";
        var results = new List<string> { Render(assembler.Push(F(false, Text, "x"))) };
        for (var i = 1; i < fragments; i++) results.Add(Render(assembler.Push(F(i == fragments - 1, Cont, payload))));
        Assert.All(results.Take(results.Count - 1), r => Assert.Equal("incomplete", r));
        Assert.StartsWith(expected, results[^1], StringComparison.Ordinal);
    }

    /// <summary>
    /// A message of one-byte fragments holds one buffer no larger than the cap (each fragment used to be held as an
    /// array of its own: ~40 bytes each, ~40 MB for a 1 MiB message).
    /// </summary>
    [Fact]
    public void WebSocketMessageAssembler_should_allocate_at_most_the_cap_for_one_byte_fragments()
    {
        const int max = 64 * 1024;
        var assembler = new WebSocketMessageAssembler(max);
        Assert.Equal("incomplete", Render(assembler.Push(F(false, Text, "a"))));
        long largest = assembler.AllocatedBytes;
        for (var i = 1; i < max - 1; i++)
        {
            Assert.Equal(AssemblerResultKind.Incomplete, assembler.Push(F(false, Cont, "a")).Kind);
            largest = Math.Max(largest, assembler.AllocatedBytes);
        }
        var done = assembler.Push(F(true, Cont, "a"));
        Assert.Equal(AssemblerResultKind.Message, done.Kind);
        Assert.Equal(max, done.Payload.Length);
        Assert.True(largest <= max, $"held {largest} bytes for a message capped at {max}");
        Assert.Equal(0, assembler.AllocatedBytes); // nothing held between messages
        Assert.Equal("error 1009", Render(new WebSocketMessageAssembler(max).Push(F(false, Text, new byte[max + 1]))));
    }

    [Fact]
    public void WebSocketMessageAssembler_should_reject_non_positive_limit() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new WebSocketMessageAssembler(0));

    private static string Render(AssemblerResult r) => r.Kind switch
    {
        AssemblerResultKind.Incomplete => "incomplete",
        AssemblerResultKind.Error => $"error {r.CloseCode}",
        AssemblerResultKind.Message when r.Opcode == Text => $"message Text {Encoding.UTF8.GetString(r.Payload)}",
        AssemblerResultKind.Message => $"message {r.Opcode} {Convert.ToHexString(r.Payload)}",
        AssemblerResultKind.Control when r.Opcode is Ping or Pong => $"control {r.Opcode} {Encoding.UTF8.GetString(r.Payload)}",
        _ => $"control {r.Opcode} {Convert.ToHexString(r.Payload)}",
    };
}
