using System.Buffers;
using System.Text;
using ChatCluster.Transports;

namespace ChatCluster.Tests.Codecs;

/// <summary>The websocket fast path's reading of a connection's first bytes: clean upgrades only, the rest to Kestrel.</summary>
public class WebSocketUpgradeRequestTests
{
    private const string Key = "dGhlIHNhbXBsZSBub25jZQ==";

    private static string Request(string target = "/primus?_primuscb=x", string? extra = null, string version = "HTTP/1.1",
        string headers = "Host: 127.0.0.1:8080\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: " + Key + "\r\nSec-WebSocket-Version: 13\r\n") =>
        $"GET {target} {version}\r\n{headers}{extra}\r\n";

    private static UpgradeSniff Parse(string text, out WebSocketUpgradeRequest? request, out long length, string mode = Chunking.Whole) =>
        WebSocketUpgradeRequest.TryParse(Chunking.Split(Encoding.UTF8.GetBytes(text), mode), "/primus", out request, out length);

    public static TheoryData<string> Modes() => new(Chunking.Modes);

    [Theory]
    [MemberData(nameof(Modes))]
    public void A_clean_upgrade_should_be_taken_with_its_key_and_length(string mode)
    {
        var text = Request();
        Assert.Equal(UpgradeSniff.Upgrade, Parse(text + "\x81\x00", out var request, out var length, mode)); // a frame may follow
        Assert.Equal(Key, request!.Key);
        Assert.Null(request.SessionId);
        Assert.Equal(text.Length, length);
    }

    [Theory]
    [InlineData("/primus?sessionID=abc", "abc")]
    [InlineData("/primus?_primuscb=1&sessionID=a%20b", "a b")]
    [InlineData("/primus?sessionID=a+b", "a b")]
    [InlineData("/primus?sessionID=x&sessionID=y", "x,y")] // as Kestrel's Request.Query joins repeats
    [InlineData("/primus?sessionID=", null)]
    [InlineData("/primus/anything?sessionID=s", "s")]
    public void The_session_id_should_be_read_as_Kestrel_reads_the_query(string target, string? expected)
    {
        Assert.Equal(UpgradeSniff.Upgrade, Parse(Request(target), out var request, out _));
        Assert.Equal(expected, request!.SessionId);
    }

    [Fact]
    public void Header_names_and_the_upgrade_value_should_be_case_insensitive_and_connection_a_token_list()
    {
        var headers = "host: h\r\nUPGRADE: WebSocket\r\nconnection: keep-alive, Upgrade\r\nsec-websocket-key:   " + Key + "  \r\nSEC-WEBSOCKET-VERSION: 13\r\nOrigin: http://x\r\n";
        Assert.Equal(UpgradeSniff.Upgrade, Parse(Request(headers: headers), out var request, out _));
        Assert.Equal(Key, request!.Key);
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public void A_prefix_of_an_upgrade_should_ask_for_more(string mode)
    {
        var text = Request();
        for (var cut = 1; cut < text.Length; cut += 13)
            Assert.Equal(UpgradeSniff.NeedMore, Parse(text[..cut], out _, out _, mode));
    }

    [Theory]
    [InlineData("other_path", "GET /api/status HTTP/1.1\r\n")]
    [InlineData("post", "POST /primus HTTP/1.1\r\n")]
    [InlineData("lowercase_method", "get /primus HTTP/1.1\r\n")]
    [InlineData("first_byte", "X")]
    [InlineData("near_path", "GET /primu HTTP/1.1\r\n")]
    public void Anything_else_should_be_left_to_Kestrel_at_its_first_bytes(string name, string text) =>
        Assert.True(Parse(text, out _, out _) == UpgradeSniff.NotOurs, name);

    [Theory]
    [InlineData("spec", "/primus/spec", null, "HTTP/1.1", null)]
    [InlineData("http_1_0", "/primus", null, "HTTP/1.0", null)]
    [InlineData("percent_encoded_path", "/primus/%61", null, "HTTP/1.1", null)]
    [InlineData("body", "/primus", "Content-Length: 0\r\n", "HTTP/1.1", null)]
    [InlineData("chunked", "/primus", "Transfer-Encoding: chunked\r\n", "HTTP/1.1", null)]
    [InlineData("folded_header", "/primus", " folded\r\n", "HTTP/1.1", null)]
    [InlineData("duplicate_key", "/primus", "Sec-WebSocket-Key: " + Key + "\r\n", "HTTP/1.1", null)]
    [InlineData("duplicate_host", "/primus", "Host: other\r\n", "HTTP/1.1", null)]
    [InlineData("no_colon", "/primus", "Nonsense\r\n", "HTTP/1.1", null)]
    [InlineData("non_ascii_value", "/primus", "X-Name: caf\u00e9\r\n", "HTTP/1.1", null)]
    [InlineData("no_host", "/primus", null, "HTTP/1.1", "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: " + Key + "\r\nSec-WebSocket-Version: 13\r\n")]
    [InlineData("no_upgrade", "/primus", null, "HTTP/1.1", "Host: h\r\nConnection: Upgrade\r\nSec-WebSocket-Key: " + Key + "\r\nSec-WebSocket-Version: 13\r\n")]
    [InlineData("upgrade_h2c", "/primus", null, "HTTP/1.1", "Host: h\r\nUpgrade: h2c\r\nConnection: Upgrade\r\nSec-WebSocket-Key: " + Key + "\r\nSec-WebSocket-Version: 13\r\n")]
    [InlineData("connection_keep_alive", "/primus", null, "HTTP/1.1", "Host: h\r\nUpgrade: websocket\r\nConnection: keep-alive\r\nSec-WebSocket-Key: " + Key + "\r\nSec-WebSocket-Version: 13\r\n")]
    [InlineData("version_8", "/primus", null, "HTTP/1.1", "Host: h\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: " + Key + "\r\nSec-WebSocket-Version: 8\r\n")]
    [InlineData("bad_key", "/primus", null, "HTTP/1.1", "Host: h\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: short==\r\nSec-WebSocket-Version: 13\r\n")]
    [InlineData("no_key", "/primus", null, "HTTP/1.1", "Host: h\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n")]
    public void Unusual_or_invalid_upgrades_should_be_left_to_Kestrel_which_answers_them(string name, string target, string? extra, string version, string? headers)
    {
        var text = headers is null ? Request(target, extra, version) : Request(target, extra, version, headers);
        Assert.True(Parse(text, out var request, out _) == UpgradeSniff.NotOurs, name);
        Assert.Null(request);
    }

    [Fact]
    public void A_handshake_larger_than_the_limit_should_be_left_to_Kestrel()
    {
        var big = Request(extra: "X-Big: " + new string('a', WebSocketUpgradeRequest.MaxHeaderBytes) + "\r\n");
        Assert.Equal(UpgradeSniff.NotOurs, Parse(big, out _, out _));
        Assert.Equal(UpgradeSniff.NotOurs, Parse(big[..(WebSocketUpgradeRequest.MaxHeaderBytes + 10)], out _, out _)); // incomplete but too long
    }
}
