using Akka.Configuration;
using ChatCluster.Node.Core;
using ChatCluster.Node.Hosting;

namespace ChatCluster.Tests.Unit;

/// <summary>Every default of hocon/base.conf, and startup failures that name the bad setting.</summary>
public sealed class ChatSettingsSpec
{
    [Fact]
    public void Settings_should_have_documented_defaults()
    {
        var s = ChatSettings.Create(NodeConfig.Load(Array.Empty<string>(), Array.Empty<string>()));
        Assert.Equal("127.0.0.1", s.Bind);
        Assert.Equal(new[] { "defaultRoom", "anotherRoom" }, s.StartingRooms);
        Assert.True(s.TcpEnabled);
        Assert.Equal(5000, s.TcpPort);
        Assert.True(s.WebEnabled);
        Assert.Equal(8080, s.WebPort);
        Assert.Equal(100, s.ShardCount);
        Assert.Equal(TimeSpan.FromSeconds(5), s.RoomAskTimeout);
        Assert.Equal(TimeSpan.FromSeconds(120), s.PassivateIdleAfter);
        Assert.Equal(TimeSpan.FromSeconds(5), s.PassivateMissingAfter);
        Assert.Equal(TimeSpan.FromSeconds(3), s.RegistryWriteTimeout);
        Assert.Equal(TimeSpan.FromSeconds(3), s.RegistryReadTimeout);
        Assert.False(s.JournalIsShared);
        Assert.False(s.PresenceEvents);
        Assert.Equal(5, s.MaxPendingActions);
        Assert.Equal(0, s.FanoutPartitions);
        Assert.Equal(0, s.FanoutLanes);
        Assert.Equal(32, s.FanoutInlineMaxMembers);
        Assert.False(s.InlineSocketScheduling);
        Assert.True(s.SocketWaitForData);
        Assert.Equal(new[] { "authenticated-rooms" }, s.Middleware);
        Assert.Equal(8192, s.MiddlewareBufferSize);
        Assert.Equal(8, s.MiddlewareParallelism);
        var t = s.Transport;
        Assert.Equal("Hello! Welcome to the actionhero api", t.TcpWelcome);
        Assert.Equal(65536, t.TcpMaxLineBytes);
        Assert.Equal("Welcome to the actionhero api", t.WebSocketWelcome);
        Assert.Equal("/primus", t.PrimusPath);
        Assert.Equal(1048576, t.WebSocketMaxMessageBytes);
        Assert.Equal(TimeSpan.FromSeconds(30), t.PingInterval);
        Assert.Equal(4194304, t.OutboundMaxBytes);
        Assert.Equal(TimeSpan.FromSeconds(10), t.OutboundMaxAge);
        Assert.Equal(TimeSpan.FromSeconds(2), t.CloseTimeout);
        var l = t.Limits;
        Assert.Equal(10000, l.MaxConnections);
        Assert.Equal(1000, l.MaxConnectionsPerAddress);
        Assert.Equal(512, l.FdHeadroom);
        Assert.Equal(32, l.FdReserve);
        Assert.Equal(TimeSpan.FromSeconds(10), l.HandshakeTimeout);
        Assert.Equal(TimeSpan.FromSeconds(30), l.HttpKeepAliveTimeout);
        Assert.Equal(TimeSpan.FromSeconds(30), l.FirstRequestTimeout);
        Assert.Equal(TimeSpan.FromMilliseconds(10), l.AcceptBackoffMin);
        Assert.Equal(TimeSpan.FromSeconds(1), l.AcceptBackoffMax);
        Assert.Equal(TimeSpan.FromSeconds(10), l.AcceptLogInterval);
        Assert.Equal(64, l.MaxRequestsInFlight);
        Assert.Equal(4194304, l.InboundBytesPerSecond);
        Assert.Equal(8388608, l.InboundBurstBytes);
        Assert.Equal(new[] { new Transports.Limits.SayRateRule("*", 1000, 2000) }, l.SayRates);
        Assert.Equal(100, l.MaxViolations);
        Assert.Equal(TimeSpan.FromSeconds(10), l.ViolationWindow);
    }

    [Theory]
    [InlineData("chatcluster.tcp.port = 70000", "chatcluster.tcp.port")]
    [InlineData("chatcluster.websocket.port = -1", "chatcluster.websocket.port")]
    [InlineData("chatcluster.rooms.shard-count = 0", "chatcluster.rooms.shard-count")]
    [InlineData("chatcluster.outbound.max-age = 0s", "chatcluster.outbound.max-age")]
    [InlineData("chatcluster.limits.max-connections = 0", "chatcluster.limits.max-connections")]
    [InlineData("chatcluster.limits.max-requests-in-flight = 0", "chatcluster.limits.max-requests-in-flight")]
    [InlineData("chatcluster.limits.first-request-timeout = 0s", "chatcluster.limits.first-request-timeout")]
    [InlineData("chatcluster.limits.say-rates = [{ pattern = \"*\", per-second = -1, burst = 5 }]", "chatcluster.limits.say-rates[0].per-second")]
    [InlineData("chatcluster.limits.say-rates = [{ per-second = 1, burst = 5 }]", "chatcluster.limits.say-rates[0] needs `pattern`")]
    [InlineData("chatcluster.limits.inbound-burst-bytes = 10", "chatcluster.limits.inbound-burst-bytes")]
    [InlineData("chatcluster.tcp.max-line-bytes = 0", "chatcluster.tcp.max-line-bytes")]
    [InlineData("chatcluster.websocket.path = primus", "chatcluster.websocket.path")]
    [InlineData("chatcluster.bind = \"not an address\"", "chatcluster.bind")]
    public void Settings_should_reject_bad_value_naming_the_setting(string line, string setting)
    {
        var e = Assert.Throws<ConfigurationException>(() => ChatSettings.Create(NodeConfig.Load(new[] { line }, Array.Empty<string>())));
        Assert.Contains(setting, e.Message);
    }

    [Fact]
    public void Command_line_should_override_only_the_options_given()
    {
        var options = NodeCommand.Parse(new[] { "--tcp-port", "6000", "--rooms", "a, b", "--web-port=0" }, out var help);
        Assert.False(help);
        var s = ChatSettings.Create(NodeConfig.Load(options.Overrides, options.ConfigFiles));
        Assert.Equal(6000, s.TcpPort);
        Assert.Equal(0, s.WebPort);
        Assert.Equal(new[] { "a", "b" }, s.StartingRooms);
        Assert.Equal("127.0.0.1", s.Bind); // not given: the file's value stays
    }

    [Fact]
    public void Command_line_should_reject_unknown_option_and_list_every_option_in_help()
    {
        Assert.Throws<ArgumentException>(() => NodeCommand.Parse(new[] { "--nope" }, out _));
        var help = NodeCommand.Help();
        foreach (var option in new[] { "--bind", "--tcp-port", "--web-port", "--rooms", "--config", "--log-level", "--ping-interval" })
            Assert.Contains(option, help);
    }
}
