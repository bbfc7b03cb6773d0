using Akka.Configuration;
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
        Assert.Equal(4096, t.OutboundMaxMessages);
        Assert.Equal(4194304, t.OutboundMaxBytes);
        Assert.Equal(TimeSpan.FromSeconds(2), t.CloseTimeout);
    }

    [Theory]
    [InlineData("chatcluster.tcp.port = 70000", "chatcluster.tcp.port")]
    [InlineData("chatcluster.websocket.port = -1", "chatcluster.websocket.port")]
    [InlineData("chatcluster.rooms.shard-count = 0", "chatcluster.rooms.shard-count")]
    [InlineData("chatcluster.outbound.max-messages = 0", "chatcluster.outbound.max-messages")]
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
