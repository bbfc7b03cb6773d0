using ChatCluster.Messages;
using ChatCluster.Node.Actions;

namespace ChatCluster.Tests.Guard;

/// <summary>
/// Room creation caps as a table: per connection 3, per address 5 a minute. Steps: "take c a @ms => ok|conn|addr"
/// (conn / addr: refused with the per-connection / per-address text), "back c a", "close c" (the connection is gone).
/// </summary>
public sealed class RoomCreationQuotaSpec
{
    private static readonly RoomCreationCaps Caps = new(PerConnection: 3, PerAddressPerMinute: 5, MaxRooms: int.MaxValue);

    private static readonly Dictionary<string, string[]> Cases = new()
    {
        ["within_the_caps"] = ["take c1 a1 @0 => ok", "take c1 a1 @0 => ok", "take c1 a1 @0 => ok"],
        ["a_connection_past_its_cap_is_refused"] = ["take c1 a1 @0 => ok", "take c1 a1 @0 => ok", "take c1 a1 @0 => ok", "take c1 a1 @0 => conn"],
        ["another_connection_has_its_own_cap"] =
            ["take c1 a1 @0 => ok", "take c1 a1 @0 => ok", "take c1 a1 @0 => ok", "take c2 a1 @0 => ok"],
        ["an_address_past_its_minute_cap_is_refused_whatever_the_connection"] =
        [
            "take c1 a1 @0 => ok", "take c1 a1 @0 => ok", "take c2 a1 @0 => ok", "take c2 a1 @0 => ok", "take c3 a1 @0 => ok",
            "take c4 a1 @10 => addr", "take - a1 @10 => addr", "take c4 a2 @10 => ok",
        ],
        ["the_minute_starts_with_the_first_creation"] =
        [
            "take - a1 @1000 => ok", "take - a1 @1000 => ok", "take - a1 @1000 => ok", "take - a1 @1000 => ok", "take - a1 @1000 => ok",
            "take - a1 @60999 => addr", "take - a1 @61000 => ok",
        ],
        ["a_creation_given_back_does_not_count"] =
            ["take c1 a1 @0 => ok", "take c1 a1 @0 => ok", "take c1 a1 @0 => ok", "back c1 a1", "take c1 a1 @0 => ok", "take c1 a1 @0 => conn"],
        ["http_requests_count_by_address_only"] =
            ["take - a1 @0 => ok", "take - a1 @0 => ok", "take - a1 @0 => ok", "take - a1 @0 => ok", "take - a1 @0 => ok", "take - a1 @0 => addr"],
    };

    public static TheoryData<string> CaseNames() => new(Cases.Keys);

    [Theory, MemberData(nameof(CaseNames))]
    public void RoomCreationQuota_should_follow_the_table(string name)
    {
        var quota = new RoomCreationQuota(Caps);
        foreach (var step in Cases[name])
        {
            var w = step.Split(' ');
            var connection = w[1] == "-" ? null : w[1];
            if (w[0] == "back")
            {
                quota.GiveBack(connection, w[2]);
                continue;
            }
            var refusal = quota.TryTake(connection, w[2], TimeSpan.FromMilliseconds(long.Parse(w[3][1..], System.Globalization.CultureInfo.InvariantCulture)), _ => true);
            var expected = w[5] switch
            {
                "ok" => null,
                "conn" => ChatErrors.RoomsPerConnectionExceeded(Caps.PerConnection),
                _ => ChatErrors.RoomsPerMinuteExceeded(Caps.PerAddressPerMinute),
            };
            Assert.True(expected == refusal, $"{name}: {step} got {refusal ?? "ok"}");
        }
    }

    [Fact]
    public void RoomCreationQuota_should_forget_closed_connections()
    {
        var quota = new RoomCreationQuota(Caps with { PerAddressPerMinute = int.MaxValue });
        var open = new HashSet<string>();
        for (var i = 0; i < 5000; i++)
        {
            var id = "c" + i;
            if (i >= 4990) open.Add(id); // the last ten stay open
            Assert.Null(quota.TryTake(id, "a1", TimeSpan.Zero, open.Contains));
        }
        Assert.True(quota.Tracked.Connections <= 2048, $"{quota.Tracked.Connections} connections tracked after 4,990 closed");
    }

    [Fact]
    public void RoomCreationQuota_should_forget_addresses_whose_minute_is_over()
    {
        var quota = new RoomCreationQuota(Caps);
        for (var i = 0; i < 5000; i++)
            Assert.Null(quota.TryTake(null, "a" + i, TimeSpan.FromSeconds(i), _ => false));
        Assert.True(quota.Tracked.Addresses <= 2048, $"{quota.Tracked.Addresses} addresses tracked, most of them a minute old");
    }
}
