using System.Text.Json.Nodes;
using ChatCluster.Messages;
using ChatCluster.Tests.Support;

namespace ChatCluster.Tests.Wire;

/// <summary>A node with one user (alice / secret-a); protected rooms keep their default pattern "private:*".</summary>
public sealed class AuthNodeFixture : NodeFixture
{
    protected override IReadOnlyList<string> Overrides => new[] { "chatcluster.auth.tokens { alice = \"secret-a\" }" };
}

/// <summary>The authenticated-room recipe (spec section 9): the authenticate action plus the join middleware.</summary>
public sealed class AuthenticatedRoomTests : IClassFixture<AuthNodeFixture>
{
    private readonly AuthNodeFixture _node;

    public AuthenticatedRoomTests(AuthNodeFixture node) => _node = node;

    private async Task<string> PrivateRoomAsync()
    {
        var room = "private:" + Guid.NewGuid().ToString("N");
        await _node.Node.Api.AddAsync(room);
        return room;
    }

    private static JsonObject Token(string token) => new() { ["token"] = token };

    [Theory]
    [MemberData(nameof(WireClient.Transports), MemberType = typeof(WireClient))]
    public async Task Joining_a_protected_room_before_authenticating_should_be_refused(Transport transport)
    {
        var room = await PrivateRoomAsync();
        await using var client = await WireClient.ConnectAsync(_node, transport);

        client.AssertVerbError(await client.RoomAddAsync(room), "you must authenticate to join this room");
        Assert.Empty(await client.RoomsAsync());
        Assert.Equal(0, (await _node.Node.Api.StatusAsync(room)).MembersCount);
    }

    [Theory]
    [MemberData(nameof(WireClient.Transports), MemberType = typeof(WireClient))]
    public async Task A_wrong_token_should_be_refused_with_invalid_credentials(Transport transport)
    {
        var room = await PrivateRoomAsync();
        await using var client = await WireClient.ConnectAsync(_node, transport);

        var reply = await client.ActionAsync("authenticate", Token("secret-b"));
        Assert.Equal("invalid credentials", (string?)reply["error"]);
        Assert.Equal("response", (string?)reply["context"]);
        Assert.True(reply.ContainsKey("messageId"), reply.ToJsonString());
        Assert.False(reply.ContainsKey("authenticated"), reply.ToJsonString());

        client.AssertVerbError(await client.RoomAddAsync(room), ChatErrors.AuthenticationRequired);
    }

    [Theory]
    [MemberData(nameof(WireClient.Transports), MemberType = typeof(WireClient))]
    public async Task A_missing_token_should_be_a_missing_param(Transport transport)
    {
        await using var client = await WireClient.ConnectAsync(_node, transport);
        var reply = await client.ActionAsync("authenticate");
        Assert.Equal("token is a required parameter for this action", (string?)reply["error"]);
    }

    [Theory]
    [MemberData(nameof(WireClient.Transports), MemberType = typeof(WireClient))]
    public async Task The_right_token_should_authenticate_and_unlock_protected_rooms(Transport transport)
    {
        var room = await PrivateRoomAsync();
        await using var client = await WireClient.ConnectAsync(_node, transport);
        client.AssertVerbError(await client.RoomAddAsync(room), ChatErrors.AuthenticationRequired);

        var reply = await client.ActionAsync("authenticate", Token("secret-a"));
        Assert.False(reply.ContainsKey("error"), reply.ToJsonString());
        Assert.True(reply["authenticated"] is JsonValue a && a.GetValue<bool>(), reply.ToJsonString());
        Assert.Equal("alice", (string?)reply["user"]);
        Assert.Equal("response", (string?)reply["context"]);
        Assert.Equal(new[] { "authenticated", "user", "context", "messageId" }, reply.Select(p => p.Key).ToArray());

        await client.JoinAsync(room);
        Assert.Equal(new[] { room }, await client.RoomsAsync());
        var id = await client.IdAsync();
        var view = await client.RoomViewAsync(room);
        WireClient.AssertOk(view);
        Assert.True(view["data"]!["members"]!.AsObject().ContainsKey(id), view.ToJsonString());
    }

    [Theory]
    [MemberData(nameof(WireClient.Transports), MemberType = typeof(WireClient))]
    public async Task The_authenticate_reply_should_have_the_action_reply_shape(Transport transport)
    {
        await using var c = await WireClient.ConnectAsync(_node, transport);
        await c.ExpectActionReplyAsync("\"authenticated\":true,\"user\":\"alice\"", "authenticate", new JsonObject { ["token"] = "secret-a" });
        await c.ExpectActionReplyAsync("\"error\":\"invalid credentials\"", "authenticate", new JsonObject { ["token"] = "nope" });
    }

    [Theory]
    [MemberData(nameof(WireClient.Transports), MemberType = typeof(WireClient))]
    public async Task Authenticating_one_connection_should_not_unlock_another(Transport transport)
    {
        var room = await PrivateRoomAsync();
        await using var alice = await WireClient.ConnectAsync(_node, transport);
        await using var stranger = await WireClient.ConnectAsync(_node, transport);

        Assert.Equal("alice", (string?)(await alice.ActionAsync("authenticate", Token("secret-a")))["user"]);
        await alice.JoinAsync(room);
        stranger.AssertVerbError(await stranger.RoomAddAsync(room), ChatErrors.AuthenticationRequired);
    }

    [Theory]
    [MemberData(nameof(WireClient.Transports), MemberType = typeof(WireClient))]
    public async Task A_room_that_is_not_protected_should_need_no_authentication(Transport transport)
    {
        var room = await _node.NewRoomAsync("public");
        await using var client = await WireClient.ConnectAsync(_node, transport);
        await client.JoinAsync(room);
        Assert.Equal(new[] { room }, await client.RoomsAsync());
        // "private" without the colon does not match "private:*"
        var lookalike = await _node.NewRoomAsync("private");
        await client.JoinAsync(lookalike);
    }
}
