using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using ChatCluster.Messages;
using ChatCluster.Tests.Support;

namespace ChatCluster.Tests.Guard;

/// <summary>Four creations per address per minute; an admin (dave) for the exemption.</summary>
public sealed class AddressCapNodeFixture : NodeFixture
{
    public const int PerAddressPerMinute = 4;
    public const string AdminToken = "dave-token";

    protected override IReadOnlyList<string> Overrides => new[]
    {
        $"chatcluster.auth.create.per-address-per-minute = {PerAddressPerMinute}",
        $"chatcluster.auth.tokens {{ dave = \"{AdminToken}\" }}",
        "chatcluster.auth.admins = [dave]",
    };
}

/// <summary>At most two rooms in the cluster: the two starting rooms already fill it.</summary>
public sealed class RoomTotalCapNodeFixture : NodeFixture
{
    public const int MaxRooms = 2;

    protected override IReadOnlyList<string> Overrides => new[] { $"chatcluster.auth.create.max-rooms = {MaxRooms}" };
}

/// <summary>Anonymous room creation is capped per address per minute (over every transport) and in total (issue 12, item 2).</summary>
public sealed class RoomCreationCapTests : IClassFixture<AddressCapNodeFixture>
{
    private readonly AddressCapNodeFixture _node;

    public RoomCreationCapTests(AddressCapNodeFixture node) => _node = node;

    [Fact]
    public async Task An_address_should_create_at_most_its_rooms_per_minute_over_http_tcp_and_websocket()
    {
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{_node.WebPort}"), Timeout = Timeouts.Expect };
        var prefix = "addr-" + Guid.NewGuid().ToString("N")[..8] + "-";
        for (var i = 0; i < AddressCapNodeFixture.PerAddressPerMinute; i++)
        {
            using var created = await http.GetAsync($"/api/createChatRoom?name={prefix}{i}");
            Assert.Equal(HttpStatusCode.OK, created.StatusCode);
        }
        using (var refused = await http.GetAsync($"/api/createChatRoom?name={prefix}over"))
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
            Assert.Equal(new JsonObject { ["error"] = ChatErrors.RoomsPerMinuteExceeded(AddressCapNodeFixture.PerAddressPerMinute) }.ToJsonString(),
                await refused.Content.ReadAsStringAsync());
        }
        foreach (var transport in new[] { Transport.Tcp, Transport.Ws })
        {
            await using var client = await WireClient.ConnectAsync(_node, transport);
            Assert.Equal(ChatErrors.RoomsPerMinuteExceeded(AddressCapNodeFixture.PerAddressPerMinute),
                (string?)(await client.ActionAsync("createChatRoom", new JsonObject { ["name"] = prefix + "over" }))["error"]);
        }
        Assert.False(await _node.Node.Api.ExistsAsync(prefix + "over"));

        using var admin = new HttpRequestMessage(HttpMethod.Get, $"/api/createChatRoom?name={prefix}over");
        admin.Headers.Authorization = new AuthenticationHeaderValue("Bearer", AddressCapNodeFixture.AdminToken);
        using var byAdmin = await http.SendAsync(admin);
        Assert.Equal(HttpStatusCode.OK, byAdmin.StatusCode);
        Assert.True(await _node.Node.Api.ExistsAsync(prefix + "over"));
    }
}

public sealed class RoomTotalCapTests : IClassFixture<RoomTotalCapNodeFixture>
{
    private readonly RoomTotalCapNodeFixture _node;

    public RoomTotalCapTests(RoomTotalCapNodeFixture node) => _node = node;

    [Theory]
    [MemberData(nameof(WireClient.Transports), MemberType = typeof(WireClient))]
    public async Task A_full_cluster_should_refuse_new_rooms_but_answer_for_existing_ones(Transport transport)
    {
        await Eventually.TrueAsync(async () => (await _node.Node.Api.ListAsync()).Count == RoomTotalCapNodeFixture.MaxRooms, "the starting rooms in the registry");
        await using var client = await WireClient.ConnectAsync(_node, transport);
        var room = "full-" + Guid.NewGuid().ToString("N");

        Assert.Equal(ChatErrors.RoomLimitReached(RoomTotalCapNodeFixture.MaxRooms),
            (string?)(await client.ActionAsync("createChatRoom", new JsonObject { ["name"] = room }))["error"]);
        Assert.False(await _node.Node.Api.ExistsAsync(room));
        Assert.Equal(false, (bool?)(await client.ActionAsync("createChatRoom", new JsonObject { ["name"] = "defaultRoom" }))["didCreate"]);
    }
}
