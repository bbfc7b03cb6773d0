using System.Buffers;
using System.Text;
using ChatCluster.Transports;

namespace ChatCluster.Tests.Codecs;

public class LineFramerTests
{
    // One case: the framer's limit, the reads it receives (each appended to what it left unconsumed,
    // then re-split into segments), the events it must produce, and the bytes it may keep at the end.
    public sealed record LineCase(int Max, byte[][] Feeds, string[] Events, int Leftover = 0);

    private static byte[] U(string s) => Encoding.UTF8.GetBytes(s);
    private static LineCase Case(int max, string feed, params string[] events) => new(max, [U(feed)], events);

    private static readonly Dictionary<string, Dictionary<string, LineCase>> Groups = new()
    {
        ["delimiters"] = new()
        {
            ["lf"] = Case(64, "hello\n", "line:hello"),
            ["crlf_is_two_delimiters"] = Case(64, "a\r\nb\n", "line:a", "line:b"),
            ["cr_alone"] = Case(64, "a\rb\r", "line:a", "line:b"),
            ["lf_cr_reversed"] = Case(64, "a\n\rb\n", "line:a", "line:b"),
            ["many_lines_in_one_read"] = Case(64, "roomAdd defaultRoom\nsay defaultRoom hi there\nquit\n",
                "line:roomAdd defaultRoom", "line:say defaultRoom hi there", "line:quit"),
            ["spaces_are_kept"] = Case(64, "  say  x \n", "line:  say  x "),
            ["json_line"] = Case(64, "{\"action\":\"a\",\"params\":{}}\r\n", "line:{\"action\":\"a\",\"params\":{}}"),
        },
        ["empty"] = new()
        {
            ["only_delimiters"] = Case(64, "\n\r\n\r\r\n\n"),
            ["empty_lines_between"] = Case(64, "\n\na\n\r\n\rb\r\n\r\n", "line:a", "line:b"),
            ["empty_read"] = new(64, [[]], []),
            ["empty_lines_before_partial_are_consumed"] = new(64, [U("\r\n\r\nab")], [], Leftover: 2),
        },
        ["partial"] = new()
        {
            ["unterminated_is_kept"] = new(64, [U("abc")], [], Leftover: 3),
            ["line_then_partial"] = new(64, [U("a\nbc")], ["line:a"], Leftover: 2),
            ["partial_completed_by_next_read"] = new(64, [U("hel"), U("lo\nwor"), U("ld\r\n")], ["line:hello", "line:world"]),
            ["cr_then_lf_in_next_read"] = new(64, [U("a\r"), U("\nb\n")], ["line:a", "line:b"]),
            ["exactly_max_unterminated_is_kept"] = new(5, [U("abcde")], [], Leftover: 5),
            ["exactly_max_completed_later"] = new(5, [U("abcde"), U("\n")], ["line:abcde"]),
        },
        ["utf8"] = new()
        {
            ["multibyte"] = Case(64, "héllo € 𝄞\n", "line:héllo € 𝄞"),
            ["multibyte_split_across_reads"] = new(64, [[0x68, 0xC3], [0xA9, 0xE2, 0x82], [0xAC, 0x0A]], ["line:hé€"]),
            ["invalid_byte_becomes_replacement"] = new(64, [[0x61, 0xFF, 0x62, 0x0A]], ["line:a\uFFFDb"]),
            ["truncated_sequence_before_delimiter"] = new(64, [[0x61, 0xE2, 0x82, 0x0A]], ["line:a\uFFFD"]),
            ["limit_counts_bytes_not_chars"] = Case(5, "€€\nok\n", "tooLong:6", "line:ok"),
            ["multibyte_exactly_max"] = Case(6, "€€\n", "line:€€"),
            ["long_multibyte_line"] = Case(1024, new string('€', 300) + "\n", "line:" + new string('€', 300)),
        },
        ["too_long"] = new()
        {
            ["exactly_max_is_fine"] = Case(5, "abcde\n", "line:abcde"),
            ["max_plus_one_terminated"] = Case(5, "abcdef\nok\n", "tooLong:6", "line:ok"),
            ["long_terminated_reports_whole_length"] = Case(5, "abcdefghijkl\r\nok\r\n", "tooLong:12", "line:ok"),
            ["long_line_between_good_lines"] = Case(3, "a\nbbbbb\nc\n", "line:a", "tooLong:5", "line:c"),
            ["two_long_lines_two_errors"] = Case(3, "aaaa\nbbbb\n", "tooLong:4", "tooLong:4"),
        },
        ["unterminated_over_limit"] = new()
        {
            ["nothing_reported_before_the_line_ends"] = new(5, [U("abcdef")], []),
            ["reports_full_length_when_the_line_ends"] = new(5, [U("abc"), U("defghij"), U("kl\n")], ["tooLong:12"]),
            ["reported_once_then_discarded"] = new(5, [U("abcdef"), U("ghij"), U("klmnopqrstuvwxyz\n")], ["tooLong:26"]),
            ["resumes_after_lf"] = new(5, [U("abcdef"), U("gh\nok\n")], ["tooLong:8", "line:ok"]),
            ["resumes_after_cr"] = new(5, [U("abcdef"), U("gh\rok\r")], ["tooLong:8", "line:ok"]),
            ["resumes_when_delimiter_starts_read"] = new(5, [U("abcdef"), U("\nok\n")], ["tooLong:6", "line:ok"]),
            ["partial_after_resume_is_kept"] = new(5, [U("abcdef"), U("g\nxy")], ["tooLong:7"], Leftover: 2),
            ["lines_before_overflow_are_delivered"] = new(5, [U("a\nb\nabcdefgh"), U("\n")], ["line:a", "line:b", "tooLong:8"]),
            ["second_overflow_after_resume"] = new(3, [U("aaaa"), U("\nbbbb"), U("\nok\n")], ["tooLong:4", "tooLong:4", "line:ok"]),
        },
    };

    public static TheoryData<string, string> Cases(string group) => Chunking.WithModes(Groups[group].Keys);

    [Theory, MemberData(nameof(Cases), "delimiters")]
    public void LineFramer_should_split_on_lf_and_cr(string name, string mode) => Check("delimiters", name, mode);

    [Theory, MemberData(nameof(Cases), "empty")]
    public void LineFramer_should_skip_empty_lines(string name, string mode) => Check("empty", name, mode);

    [Theory, MemberData(nameof(Cases), "partial")]
    public void LineFramer_should_keep_incomplete_line_until_delimiter(string name, string mode) => Check("partial", name, mode);

    [Theory, MemberData(nameof(Cases), "utf8")]
    public void LineFramer_should_decode_utf8_across_segments(string name, string mode) => Check("utf8", name, mode);

    [Theory, MemberData(nameof(Cases), "too_long")]
    public void LineFramer_should_drop_terminated_line_over_limit(string name, string mode) => Check("too_long", name, mode);

    [Theory, MemberData(nameof(Cases), "unterminated_over_limit")]
    public void LineFramer_should_discard_unterminated_input_over_limit_until_delimiter(string name, string mode) =>
        Check("unterminated_over_limit", name, mode);

    [Theory]
    [InlineData(7)]
    [InlineData(42)]
    [InlineData(1234)]
    public void LineFramer_should_give_same_lines_and_errors_for_any_read_boundaries(int seed)
    {
        const int max = 10;
        var input = U("detailsView\nroomAdd r\r\n\r\nsay r hi\nthis line is far too long\n€€€€\n€€€\r\nend");
        var reference = Run(max, [input], Chunking.Whole, out int referenceLeftover);

        var chunks = Chunking.RandomChunks(input, seed, maxChunk: 6);
        var events = Run(max, chunks, Chunking.Whole, out int leftover);

        Assert.Equal(["line:roomAdd r", "line:say r hi", "line:€€€"], Lines(events));
        Assert.Equal(Lines(reference), Lines(events));
        Assert.Equal(3, events.Count(e => e.StartsWith("tooLong:", StringComparison.Ordinal)));
        Assert.Equal(3, reference.Count(e => e.StartsWith("tooLong:", StringComparison.Ordinal)));
        Assert.Equal(referenceLeftover, leftover);
    }

    [Fact]
    public void LineFramer_should_keep_memory_bounded_on_endless_unterminated_input()
    {
        const int max = 16;
        var framer = new LineFramer(max);
        var tooLong = 0;
        var random = new Random(99);
        byte[] pending = [];
        for (int read = 0; read < 1000; read++)
        {
            var chunk = new byte[random.Next(1, 40)];
            chunk.AsSpan().Fill((byte)'x');
            var buffer = new ReadOnlySequence<byte>([.. pending, .. chunk]);
            LineStatus status;
            while ((status = framer.TryRead(ref buffer, out _, out long received)) != LineStatus.NeedMore)
            {
                Assert.Equal(LineStatus.TooLong, status);
                Assert.True(received > max);
                tooLong++;
            }
            pending = buffer.ToArray();
            Assert.True(pending.Length <= max, $"kept {pending.Length} bytes");
        }
        Assert.Equal(0, tooLong); // reported when the line finally ends, with its whole length

        var tail = new ReadOnlySequence<byte>([.. pending, .. U("\nstill usable\n")]);
        Assert.Equal(LineStatus.TooLong, framer.TryRead(ref tail, out _, out long total));
        Assert.True(total > 1000, $"reported {total} bytes");
        Assert.Equal(LineStatus.Line, framer.TryRead(ref tail, out var line, out _));
        Assert.Equal("still usable", line);
    }

    [Fact]
    public void LineFramer_should_reject_non_positive_limit()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new LineFramer(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new LineFramer(-1));
    }

    private static readonly Dictionary<string, (byte[] Chunk, bool IsBreak)> BreakCases = new()
    {
        ["ctrl_d"] = ([0x04], true),
        ["telnet_ctrl_c"] = ([0xFF, 0xF4, 0xFF, 0xFD, 0x06], true),
        ["empty"] = ([], false),
        ["ctrl_d_with_newline"] = ([0x04, 0x0A], false),
        ["ctrl_d_after_text"] = ([0x61, 0x04], false),
        ["telnet_ctrl_c_truncated"] = ([0xFF, 0xF4, 0xFF, 0xFD], false),
        ["telnet_ctrl_c_with_extra"] = ([0xFF, 0xF4, 0xFF, 0xFD, 0x06, 0x0A], false),
        ["five_other_bytes"] = ([0xFF, 0xF4, 0xFF, 0xFD, 0x07], false),
        ["letter"] = ([0x61], false),
    };

    public static TheoryData<string, string> BreakCaseNames() => Chunking.WithModes(BreakCases.Keys);

    [Theory, MemberData(nameof(BreakCaseNames))]
    public void LineFramer_should_recognise_break_chunks(string name, string mode)
    {
        var (chunk, expected) = BreakCases[name];
        Assert.Equal(expected, LineFramer.IsBreak(Chunking.Split(chunk, mode)));
    }

    private static void Check(string group, string name, string mode)
    {
        var c = Groups[group][name];
        var events = Run(c.Max, c.Feeds, mode, out int leftover);
        Assert.Equal(c.Events, events);
        Assert.Equal(c.Leftover, leftover);
    }

    // Drives the framer like a transport loop: append each read to the unconsumed bytes, take
    // everything the framer produces, keep what it did not consume.
    private static List<string> Run(int max, IEnumerable<byte[]> feeds, string mode, out int leftover)
    {
        var framer = new LineFramer(max);
        var events = new List<string>();
        byte[] pending = [];
        foreach (var feed in feeds)
        {
            var buffer = Chunking.Split([.. pending, .. feed], mode);
            while (true)
            {
                var status = framer.TryRead(ref buffer, out var line, out long received);
                if (status == LineStatus.NeedMore)
                    break;
                if (status == LineStatus.Line)
                {
                    Assert.False(string.IsNullOrEmpty(line));
                    events.Add($"line:{line}");
                }
                else
                {
                    Assert.Null(line);
                    events.Add($"tooLong:{received}");
                }
            }
            pending = buffer.ToArray();
            Assert.True(pending.Length <= max, $"framer kept {pending.Length} bytes, limit {max}");
        }
        leftover = pending.Length;
        return events;
    }

    private static string[] Lines(IEnumerable<string> events) =>
        events.Where(e => e.StartsWith("line:", StringComparison.Ordinal)).ToArray();
}
