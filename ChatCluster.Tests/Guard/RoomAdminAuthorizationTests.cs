using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using ChatCluster.Bench.Load;
using ChatCluster.Messages;
using ChatCluster.Tests.Support;

namespace ChatCluster.Tests.Guard;

/// <summary>Two users, alice (admin) and bob (not); three creations per connection; one allowed websocket origin.</summary>
public sealed class GuardNodeFixture : NodeFixture
{
    public const string AdminToken = "alice-token";
    public const string UserToken = "bob-token";
    public const int PerConnection = 3;
    public const string AllowedOrigin = "https://chat.example";

    protected override IReadOnlyList<string> Overrides => new[]
    {
        $"chatcluster.auth.tokens {{ alice = \"{AdminToken}\", bob = \"{UserToken}\" }}",
        "chatcluster.auth.admins = [alice]",
        $"chatcluster.auth.create.per-connection = {PerConnection}",
        $"chatcluster.websocket.allowed-origins = [\"{AllowedOrigin}\"]",
    };
}

/// <summary>
/// Room administration needs the admin role (issue 12, item 2): destroy over TCP, websocket and HTTP; protected names;
/// the per-connection creation cap; OPTIONS runs nothing; the websocket Origin allow-list.
/// </summary>
public sealed class RoomAdminAuthorizationTests : IClassFixture<GuardNodeFixture>, IDisposable
{
    private readonly GuardNodeFixture _node;
    private readonly HttpClient _http;

    public RoomAdminAuthorizationTests(GuardNodeFixture node)
    {
        _node = node;
        _http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{node.WebPort}"), Timeout = Timeouts.Expect };
    }

    public void Dispose() => _http.Dispose();

    private static JsonObject Name(string room) => new() { ["name"] = room };

    private static async Task AuthenticateAsync(WireClient client, string token) =>
        Assert.Equal(true, (bool?)(await client.ActionAsync("authenticate", new JsonObject { ["token"] = token }))["authenticated"]);

    [Theory]
    [InlineData(Transport.Tcp, null)]
    [InlineData(Transport.Ws, null)]
    [InlineData(Transport.Tcp, GuardNodeFixture.UserToken)]
    [InlineData(Transport.Ws, GuardNodeFixture.UserToken)]
    public async Task Destroying_a_room_without_the_admin_role_should_be_refused_and_keep_room_and_members(Transport transport, string? token)
    {
        var room = await _node.NewRoomAsync("keep");
        await using var member = await WireClient.ConnectAsync(_node, Transport.Tcp);
        await member.JoinAsync(room);
        await using var caller = await WireClient.ConnectAsync(_node, transport);
        if (token is not null) await AuthenticateAsync(caller, token);

        var reply = await caller.ActionAsync("destroyChatRoom", Name(room));

        Assert.Equal(ChatErrors.AdminRequired, (string?)reply["error"]);
        Assert.Equal("response", (string?)reply["context"]);
        Assert.True(await _node.Node.Api.ExistsAsync(room));
        Assert.Equal(new[] { room }, await member.RoomsAsync());
        Assert.True(await member.IsSilentAsync(), "the member was told something although nothing happened");
    }

    [Theory]
    [MemberData(nameof(WireClient.Transports), MemberType = typeof(WireClient))]
    public async Task Destroying_a_room_as_an_admin_should_work(Transport transport)
    {
        var room = await _node.NewRoomAsync("doomed");
        await using var caller = await WireClient.ConnectAsync(_node, transport);
        await AuthenticateAsync(caller, GuardNodeFixture.AdminToken);

        var reply = await caller.ActionAsync("destroyChatRoom", Name(room));

        Assert.Equal(true, (bool?)reply["didDestroy"]);
        Assert.False(await _node.Node.Api.ExistsAsync(room));
    }

    [Theory]
    [InlineData("no_credential", null, null, HttpStatusCode.Forbidden, ChatErrors.AdminRequired)]
    [InlineData("user_bearer", "Bearer " + GuardNodeFixture.UserToken, null, HttpStatusCode.Forbidden, ChatErrors.AdminRequired)]
    [InlineData("wrong_bearer", "Bearer nope", null, HttpStatusCode.Unauthorized, ChatErrors.InvalidCredentials)]
    [InlineData("wrong_token_param", null, "nope", HttpStatusCode.Unauthorized, ChatErrors.InvalidCredentials)]
    [InlineData("basic_auth_is_no_credential", "Basic YWxpY2U6YWxpY2UtdG9rZW4=", null, HttpStatusCode.Forbidden, ChatErrors.AdminRequired)]
    public async Task Http_destroy_without_an_admin_credential_should_be_refused_and_keep_the_room(
        string name, string? authorization, string? tokenParam, HttpStatusCode expected, string error)
    {
        var room = await _node.NewRoomAsync("http-keep");
        var (status, body) = await DestroyOverHttpAsync(room, authorization, tokenParam);
        Assert.True(expected == status, $"{name}: {(int)status} {body}");
        Assert.Equal(new JsonObject { ["error"] = error }.ToJsonString(), body);
        Assert.True(await _node.Node.Api.ExistsAsync(room), name);
    }

    [Theory]
    [InlineData("admin_bearer", "Bearer " + GuardNodeFixture.AdminToken, null)]
    [InlineData("admin_token_param", null, GuardNodeFixture.AdminToken)]
    public async Task Http_destroy_with_an_admin_credential_should_destroy(string name, string? authorization, string? tokenParam)
    {
        var room = await _node.NewRoomAsync("http-doomed");
        var (status, body) = await DestroyOverHttpAsync(room, authorization, tokenParam);
        Assert.True(status == HttpStatusCode.OK, $"{name}: {(int)status} {body}");
        Assert.Equal($"{{\"name\":\"{room}\",\"didDestroy\":true}}", body);
        Assert.False(await _node.Node.Api.ExistsAsync(room), name);
    }

    private async Task<(HttpStatusCode, string)> DestroyOverHttpAsync(string room, string? authorization, string? tokenParam)
    {
        var url = $"/api/destroyChatRoom?name={Uri.EscapeDataString(room)}" + (tokenParam is null ? "" : "&token=" + Uri.EscapeDataString(tokenParam));
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (authorization is not null) request.Headers.TryAddWithoutValidation("Authorization", authorization);
        using var response = await _http.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [MemberData(nameof(WireClient.Transports), MemberType = typeof(WireClient))]
    public async Task Creating_a_protected_room_should_need_the_admin_role(Transport transport)
    {
        var room = "private:" + Guid.NewGuid().ToString("N");
        await using var caller = await WireClient.ConnectAsync(_node, transport);

        Assert.Equal(ChatErrors.AdminRequired, (string?)(await caller.ActionAsync("createChatRoom", Name(room)))["error"]);
        await AuthenticateAsync(caller, GuardNodeFixture.UserToken);
        Assert.Equal(ChatErrors.AdminRequired, (string?)(await caller.ActionAsync("createChatRoom", Name(room)))["error"]);
        Assert.False(await _node.Node.Api.ExistsAsync(room));

        await AuthenticateAsync(caller, GuardNodeFixture.AdminToken);
        Assert.Equal(true, (bool?)(await caller.ActionAsync("createChatRoom", Name(room)))["didCreate"]);
        Assert.True(await _node.Node.Api.ExistsAsync(room));
    }

    [Fact]
    public async Task Http_create_of_a_protected_room_should_need_an_admin_credential()
    {
        var room = "private:" + Guid.NewGuid().ToString("N");
        using (var refused = await _http.GetAsync($"/api/createChatRoom?name={Uri.EscapeDataString(room)}"))
        {
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
            Assert.Equal($"{{\"error\":\"{ChatErrors.AdminRequired}\"}}", await refused.Content.ReadAsStringAsync());
        }
        Assert.False(await _node.Node.Api.ExistsAsync(room));
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/createChatRoom?name={Uri.EscapeDataString(room)}");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", GuardNodeFixture.AdminToken);
        using var created = await _http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, created.StatusCode);
        Assert.True(await _node.Node.Api.ExistsAsync(room));
    }

    [Theory]
    [MemberData(nameof(WireClient.Transports), MemberType = typeof(WireClient))]
    public async Task A_connection_should_create_at_most_per_connection_rooms_unless_admin(Transport transport)
    {
        await using var anonymous = await WireClient.ConnectAsync(_node, transport);
        var prefix = "cap-" + Guid.NewGuid().ToString("N")[..8] + "-";
        for (var i = 0; i < GuardNodeFixture.PerConnection; i++)
            Assert.Equal(true, (bool?)(await anonymous.ActionAsync("createChatRoom", Name(prefix + i)))["didCreate"]);
        var refused = await anonymous.ActionAsync("createChatRoom", Name(prefix + "over"));
        Assert.Equal(ChatErrors.RoomsPerConnectionExceeded(GuardNodeFixture.PerConnection), (string?)refused["error"]);
        Assert.False(await _node.Node.Api.ExistsAsync(prefix + "over"));

        // Another connection has its own count; an admin has none.
        await using var other = await WireClient.ConnectAsync(_node, transport);
        Assert.Equal(true, (bool?)(await other.ActionAsync("createChatRoom", Name(prefix + "other")))["didCreate"]);
        await AuthenticateAsync(anonymous, GuardNodeFixture.AdminToken);
        Assert.Equal(true, (bool?)(await anonymous.ActionAsync("createChatRoom", Name(prefix + "over")))["didCreate"]);
    }

    [Fact]
    public async Task Creating_a_room_that_exists_should_not_count_against_the_cap()
    {
        await using var caller = await WireClient.ConnectAsync(_node, Transport.Tcp);
        for (var i = 0; i < GuardNodeFixture.PerConnection + 2; i++)
            Assert.Equal(false, (bool?)(await caller.ActionAsync("createChatRoom", Name("defaultRoom")))["didCreate"]);
        Assert.Equal(true, (bool?)(await caller.ActionAsync("createChatRoom", Name("exists-" + Guid.NewGuid().ToString("N"))))["didCreate"]);
    }

    [Theory]
    [InlineData("OPTIONS", "/api?action=createChatRoom&name={room}", HttpStatusCode.NoContent)]
    [InlineData("OPTIONS", "/api/createChatRoom?name={room}", HttpStatusCode.NoContent)]
    [InlineData("HEAD", "/api/createChatRoom?name={room}", HttpStatusCode.MethodNotAllowed)]
    [InlineData("TRACE", "/api/createChatRoom?name={room}", HttpStatusCode.MethodNotAllowed)]
    public async Task Only_get_post_put_patch_delete_should_run_an_action(string method, string path, HttpStatusCode expected)
    {
        var room = "opt-" + Guid.NewGuid().ToString("N");
        using var request = new HttpRequestMessage(new HttpMethod(method), path.Replace("{room}", room, StringComparison.Ordinal));
        using var response = await _http.SendAsync(request);
        Assert.Equal(expected, response.StatusCode);
        Assert.Contains("OPTIONS", response.Content.Headers.Allow);
        Assert.DoesNotContain("HEAD", response.Content.Headers.Allow);
        Assert.False(await _node.Node.Api.ExistsAsync(room), $"{method} {path} created the room");

        // The same request as a GET runs the action: the check above is not vacuous.
        using var get = await _http.GetAsync(path.Replace("{room}", room, StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
        Assert.True(await _node.Node.Api.ExistsAsync(room));
    }

    [Theory]
    [InlineData("allowed_origin", GuardNodeFixture.AllowedOrigin, "101")]
    [InlineData("no_origin_header", null, "101")]
    [InlineData("other_origin", "https://evil.example", "403")]
    [InlineData("null_origin", "null", "403")]
    public async Task A_websocket_upgrade_should_need_an_allowed_origin(string name, string? origin, string expectedStatus)
    {
        foreach (var keepAliveFirst in new[] { false, true }) // the connection's first request, and one after an HTTP request
        {
            using var client = new TcpClient();
            await client.ConnectAsync(IPAddress.Loopback, _node.WebPort);
            var stream = client.GetStream();
            if (keepAliveFirst)
            {
                await stream.WriteAsync(Encoding.ASCII.GetBytes("GET /api/status HTTP/1.1\r\nHost: x\r\n\r\n"));
                Assert.StartsWith("HTTP/1.1 200", await ReadHeadAsync(stream), StringComparison.Ordinal);
            }
            var key = Convert.ToBase64String(Guid.NewGuid().ToByteArray());
            await stream.WriteAsync(ClientFrames.UpgradeRequest("x", "/primus?_primuscb=o", key, origin));
            var head = await ReadHeadAsync(stream);
            Assert.True(head.StartsWith("HTTP/1.1 " + expectedStatus, StringComparison.Ordinal), $"{name} (after HTTP: {keepAliveFirst}): {head}");
        }
    }

    // Reads one response head (and, for the status request, its small body along with it).
    private static async Task<string> ReadHeadAsync(NetworkStream stream)
    {
        var buffer = new byte[4096];
        var text = new StringBuilder();
        using var timeout = new CancellationTokenSource(Timeouts.Expect);
        while (!text.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
        {
            var n = await stream.ReadAsync(buffer, timeout.Token);
            if (n == 0) break;
            text.Append(Encoding.ASCII.GetString(buffer, 0, n));
        }
        var all = text.ToString();
        var body = all.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        if (body >= 0 && all.Contains("Content-Length:", StringComparison.OrdinalIgnoreCase))
        {
            var length = int.Parse(all.Split("\r\n").First(h => h.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase))[15..].Trim(),
                System.Globalization.CultureInfo.InvariantCulture);
            var have = Encoding.ASCII.GetByteCount(all) - body - 4;
            while (have < length)
            {
                var n = await stream.ReadAsync(buffer.AsMemory(0, Math.Min(buffer.Length, length - have)), timeout.Token);
                if (n == 0) break;
                have += n;
            }
        }
        return all;
    }
}
