using System.Net;
using System.Net.Http.Headers;
using System.Text;
using ChatCluster.Messages;
using ChatCluster.Tests.Support;

namespace ChatCluster.Tests.Wire;

/// <summary>A node whose public folder is a temp folder with traps in it (symlinks out, dot files, a big file).</summary>
public sealed class PublicFolderFixture : NodeFixture, IAsyncLifetime
{
    public const int MaxFileBytes = 1000;

    public string Dir { get; } = Path.Combine(Path.GetTempPath(), "cc-public-" + Guid.NewGuid().ToString("N")[..8]);

    public string Root => Path.Combine(Dir, "public");

    public PublicFolderFixture()
    {
        Directory.CreateDirectory(Path.Combine(Root, "sub"));
        File.WriteAllText(Path.Combine(Root, "index.html"), "<h1>chat</h1>");
        File.WriteAllText(Path.Combine(Root, "a.html"), "hello <b>x</b>\n");
        File.WriteAllText(Path.Combine(Root, "sub", "b.txt"), "b");
        File.WriteAllText(Path.Combine(Root, "line.txt"), "raw \"line\"\r\n");
        File.WriteAllText(Path.Combine(Root, ".env"), "secret");
        File.WriteAllBytes(Path.Combine(Root, "big.bin"), new byte[MaxFileBytes + 1]);
        File.WriteAllText(Path.Combine(Dir, "outside.txt"), "outside");
        File.CreateSymbolicLink(Path.Combine(Root, "escape.txt"), Path.Combine(Dir, "outside.txt"));
        Directory.CreateSymbolicLink(Path.Combine(Root, "escape-dir"), Dir);
    }

    protected override IReadOnlyList<string> Overrides => new[]
    {
        $"chatcluster.web.public-folder = {Transports.JsonText.Quote(Root)}",
        $"chatcluster.web.max-file-bytes = {MaxFileBytes}",
    };

    public new Task InitializeAsync() => base.InitializeAsync();

    public new async Task DisposeAsync()
    {
        await base.DisposeAsync();
        Directory.Delete(Dir, recursive: true);
    }
}

/// <summary>
/// The public folder over HTTP (static file middleware: path rules, ETag / If-Modified-Since, size limit, the client
/// library, / as the page), over the websocket and TCP <c>file</c> verb (ActionHero's reply shapes), the CORS
/// preflight rule, and the session cookie as the websocket's fingerprint.
/// </summary>
public sealed class PublicFilesWireTests : IClassFixture<PublicFolderFixture>, IDisposable
{
    private readonly PublicFolderFixture _node;
    private readonly HttpClient _http;

    public PublicFilesWireTests(PublicFolderFixture node)
    {
        _node = node;
        _http = new HttpClient(new HttpClientHandler { UseCookies = false }) { BaseAddress = new Uri($"http://127.0.0.1:{node.WebPort}"), Timeout = Timeouts.Expect };
    }

    public void Dispose() => _http.Dispose();

    [Fact]
    public async Task A_public_file_is_served_with_validators_and_revalidates_to_304()
    {
        using var response = await _http.GetAsync("/public/a.html");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("hello <b>x</b>\n", await response.Content.ReadAsStringAsync());
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.True(response.Headers.CacheControl is { Public: true, MustRevalidate: true } cache && cache.MaxAge == TimeSpan.FromSeconds(60));
        var etag = response.Headers.ETag!;
        var modified = response.Content.Headers.LastModified!.Value;

        using var byTag = new HttpRequestMessage(HttpMethod.Get, "/public/a.html");
        byTag.Headers.IfNoneMatch.Add(etag);
        Assert.Equal(HttpStatusCode.NotModified, (await _http.SendAsync(byTag)).StatusCode);
        using var byDate = new HttpRequestMessage(HttpMethod.Get, "/public/a.html");
        byDate.Headers.IfModifiedSince = modified;
        Assert.Equal(HttpStatusCode.NotModified, (await _http.SendAsync(byDate)).StatusCode);
        using var stale = new HttpRequestMessage(HttpMethod.Get, "/public/a.html");
        stale.Headers.IfModifiedSince = modified.AddDays(-1);
        Assert.Equal(HttpStatusCode.OK, (await _http.SendAsync(stale)).StatusCode);
    }

    [Theory]
    [InlineData("/public/../outside.txt")]
    [InlineData("/public/%2e%2e/outside.txt")]
    [InlineData("/public/..%2foutside.txt")]
    [InlineData("/public/sub/..%2f..%2foutside.txt")]
    [InlineData("/public/%2fetc%2fpasswd")]
    [InlineData("/public//etc/passwd")]
    [InlineData("/public/escape.txt")]
    [InlineData("/public/escape-dir/outside.txt")]
    [InlineData("/public/.env")]
    [InlineData("/public/big.bin")]
    [InlineData("/public/sub")]
    [InlineData("/public/")]
    [InlineData("/public/missing.html")]
    [InlineData("/outside.txt")]
    public async Task Nothing_outside_the_rules_is_served(string path)
    {
        // Written as raw bytes: HttpClient would remove dot segments before the server saw them.
        var (status, body) = await RawGetAsync(path);
        Assert.Equal(404, status);
        Assert.DoesNotContain("outside", body);
    }

    private async Task<(int Status, string Body)> RawGetAsync(string target)
    {
        using var client = new System.Net.Sockets.TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, _node.WebPort);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"));
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var text = await reader.ReadToEndAsync().WaitAsync(Timeouts.Expect);
        var status = int.Parse(text.Split(' ', 3)[1]);
        return (status, text[(text.IndexOf("\r\n\r\n", StringComparison.Ordinal) + 4)..]);
    }

    [Fact]
    public async Task Root_is_the_index_page_and_the_client_library_is_served()
    {
        Assert.Equal("<h1>chat</h1>", await _http.GetStringAsync("/"));
        var client = await _http.GetStringAsync("/public/javascript/ActionheroWebsocketClient.js");
        Assert.Contains("function ActionheroWebsocketClient(", client);
        Assert.Contains("function Primus(", client); // self-contained: one script tag
        Assert.Contains("\"cookieKey\":\"sessionID\"", client);
        Assert.Contains("var PING_TIMEOUT = 45000;", client); // 1.5 x the 30 s ping interval
        Assert.DoesNotContain("%%", client);
        using var primus = await _http.GetAsync("/primus/primus.js");
        Assert.Equal(HttpStatusCode.OK, primus.StatusCode);
        Assert.Equal("text/javascript", primus.Content.Headers.ContentType?.MediaType);
        var primusJs = await primus.Content.ReadAsStringAsync();
        Assert.Contains("primus::pong::", primusJs);
        Assert.DoesNotContain("ActionheroWebsocketClient(", primusJs);
        Assert.Equal((HttpStatusCode)426, (await _http.GetAsync("/primus/other.js")).StatusCode);
    }

    [Theory]
    [InlineData("/api?action=createChatRoom&name={0}")]
    [InlineData("/api/createChatRoom?name={0}")]
    public async Task A_preflight_is_answered_by_cors_and_runs_no_action(string template)
    {
        var room = "preflight-" + Guid.NewGuid().ToString("N")[..8];
        using var preflight = new HttpRequestMessage(HttpMethod.Options, string.Format(template, room));
        preflight.Headers.Add("Origin", "http://elsewhere.example");
        preflight.Headers.Add("Access-Control-Request-Method", "POST");
        preflight.Headers.Add("Access-Control-Request-Headers", "content-type");
        using var response = await _http.SendAsync(preflight);
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal("*", response.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.Contains("POST", response.Headers.GetValues("Access-Control-Allow-Methods").Single());
        Assert.Equal("Content-Type", response.Headers.GetValues("Access-Control-Allow-Headers").Single());
        Assert.False(response.Headers.Contains("Access-Control-Allow-Credentials"));
        Assert.Equal("", await response.Content.ReadAsStringAsync());
        Assert.DoesNotContain(room, await _node.Node.Api.ListAsync());

        // The real request that follows does run, with the CORS header.
        using var post = new HttpRequestMessage(HttpMethod.Post, string.Format(template, room)) { Content = new StringContent("{}", Encoding.UTF8, "application/json") };
        post.Headers.Add("Origin", "http://elsewhere.example");
        using var ran = await _http.SendAsync(post);
        Assert.Equal("*", ran.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.Contains(room, await _node.Node.Api.ListAsync());
    }

    [Fact]
    public async Task A_response_sets_the_session_cookie_once()
    {
        using var first = await _http.GetAsync("/api/status");
        var set = first.Headers.GetValues("Set-Cookie").Single();
        Assert.Matches("^sessionID=[0-9a-f]{40}; expires=.+; max-age=3600; path=/; samesite=lax$", set);
        Assert.DoesNotContain("httponly", set);
        using var again = new HttpRequestMessage(HttpMethod.Get, "/public/a.html");
        again.Headers.Add("Cookie", set.Split(';')[0]);
        using var response = await _http.SendAsync(again);
        Assert.False(response.Headers.Contains("Set-Cookie"));
    }

    [Theory]
    [InlineData("cookie only", "", "sessionID=from-cookie", "from-cookie")]
    [InlineData("query wins over cookie", "&sessionID=from-query", "sessionID=from-cookie", "from-query")]
    [InlineData("query only (ActionHero's client)", "&sessionID=from-query", null, "from-query")]
    public async Task The_session_cookie_is_the_websocket_fingerprint(string _, string query, string? cookie, string expected)
    {
        await using var ws = await (await WebSocketTestClient.ConnectAsync(_node.WebPort, query, cookie)).Welcomed();
        var details = await ws.RequestAsync(new { @event = "detailsView", messageId = 1 });
        Assert.Equal(expected, (string?)details["data"]!["fingerprint"]);
    }

    [Fact]
    public async Task Without_a_session_the_fingerprint_is_the_connection_id()
    {
        await using var ws = await (await WebSocketTestClient.ConnectAsync(_node.WebPort, "", "other=1")).Welcomed();
        var details = await ws.RequestAsync(new { @event = "detailsView", messageId = 1 });
        Assert.Equal((string?)details["data"]!["id"], (string?)details["data"]!["fingerprint"]);
    }

    [Fact]
    public async Task The_websocket_file_verb_answers_in_actionheros_shape()
    {
        await using var ws = await (await WebSocketTestClient.ConnectAsync(_node.WebPort)).Welcomed();
        await ws.SendJsonAsync(new { @event = "file", file = "a.html", messageId = 7 });
        var modified = File.GetLastWriteTimeUtc(Path.Combine(_node.Root, "a.html")).ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'");
        Assert.Equal($$"""{"content":"hello <b>x</b>\n","mime":"text/html","length":15,"lastModified":"{{modified}}","context":"response","messageId":7}""",
            await ws.ReadTextAsync());
        var client = await ws.RequestAsync(new { @event = "file", file = "javascript/ActionheroWebsocketClient.js", messageId = 8 });
        Assert.Contains("ActionheroWebsocketClient", (string?)client["content"]);
    }

    [Theory]
    [InlineData("../outside.txt")]
    [InlineData("/etc/passwd")]
    [InlineData("/a.html")]
    [InlineData("escape.txt")]
    [InlineData("escape-dir/outside.txt")]
    [InlineData(".env")]
    [InlineData("sub")]
    [InlineData("")]
    [InlineData(null)]
    public async Task The_websocket_file_verb_refuses_what_is_not_public(string? file)
    {
        await using var ws = await (await WebSocketTestClient.ConnectAsync(_node.WebPort)).Welcomed();
        var reply = await ws.RequestAsync(new { @event = "file", file, messageId = 3 });
        Assert.Equal("""{"error":"that file is not found","content":null,"mime":"text/html","length":22,"context":"response","messageId":3}""", reply.ToJsonString());
    }

    [Fact]
    public async Task A_file_over_the_limit_gets_its_own_error_and_the_connection_stays_usable()
    {
        await using var ws = await (await WebSocketTestClient.ConnectAsync(_node.WebPort)).Welcomed();
        var reply = await ws.RequestAsync(new { @event = "file", file = "big.bin", messageId = 4 });
        var error = ChatErrors.FileTooLarge(PublicFolderFixture.MaxFileBytes);
        Assert.Equal($$"""{"error":"{{error}}","content":null,"mime":"text/html","length":{{error.Length}},"context":"response","messageId":4}""", reply.ToJsonString());
        Assert.Equal("OK", (string?)(await ws.RequestAsync(new { @event = "roomAdd", room = "defaultRoom", messageId = 5 }))["status"]);
    }

    [Fact]
    public async Task The_tcp_file_verb_sends_the_bytes_as_they_are_and_keeps_the_name_sticky()
    {
        await using var tcp = await (await _node.Tcp()).Welcomed();
        // v20 pipes the file with no JSON and no delimiter (this file ends with its own CRLF).
        await tcp.SendLineAsync("file line.txt");
        Assert.Equal("raw \"line\"", await tcp.ReadLineAsync());
        Assert.Equal("line.txt", (string?)(await tcp.RequestAsync("paramView file"))["data"]);
        await tcp.SendLineAsync("file");
        Assert.Equal("raw \"line\"", await tcp.ReadLineAsync());
        await tcp.SendLineAsync("file ../outside.txt");
        Assert.Equal("\"That file is not found\"", await tcp.ReadLineAsync());
        await tcp.SendLineAsync("file big.bin");
        Assert.Equal(Transports.JsonText.Quote(ChatErrors.FileTooLarge(PublicFolderFixture.MaxFileBytes)), await tcp.ReadLineAsync());
        Assert.Equal("OK", (string?)(await tcp.RequestAsync("roomAdd defaultRoom"))["status"]);
    }
}
