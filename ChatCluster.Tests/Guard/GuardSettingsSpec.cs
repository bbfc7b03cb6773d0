using Akka.Configuration;
using ChatCluster.Node.Actions;
using ChatCluster.Node.Core;
using ChatCluster.Node.Hosting;

namespace ChatCluster.Tests.Guard;

/// <summary>The defaults of the guard settings in hocon/base.conf, and startup failures that name the bad key.</summary>
public sealed class GuardSettingsSpec
{
    private static Config Load(params string[] overrides) => NodeConfig.Load(overrides, Array.Empty<string>());

    [Fact]
    public void Guard_settings_should_have_documented_defaults()
    {
        var auth = AuthSettings.Create(Load());
        Assert.Empty(auth.Admins);
        Assert.Equal(new RoomCreationCaps(PerConnection: 100, PerAddressPerMinute: 600, MaxRooms: 100_000), auth.Creation);
        Assert.Equal(new AuthThrottleSettings(TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(15),
            TimeSpan.FromMinutes(10), 100_000), auth.Authenticate);
        var transport = ChatSettings.Create(Load()).Transport;
        Assert.Equal(1024, transport.WebSocketMaxFragments);
        Assert.Equal(1024, transport.BinaryEchoMaxBytes);
        Assert.True(transport.AllowedOrigins.AllowsAny);
    }

    [Theory]
    [InlineData("admin_without_token", "chatcluster.auth.admins = [mallory]", "chatcluster.auth.admins")]
    [InlineData("zero_per_connection", "chatcluster.auth.create.per-connection = 0", "chatcluster.auth.create.per-connection")]
    [InlineData("max_delay_below_first", "chatcluster.auth.authenticate.max-delay = 1ms", "chatcluster.auth.authenticate.max-delay")]
    [InlineData("max_wait_below_max_delay", "chatcluster.auth.authenticate.max-wait = 1s", "chatcluster.auth.authenticate.max-wait")]
    public void Bad_auth_settings_should_fail_at_start_naming_the_key(string name, string line, string key)
    {
        var e = Assert.Throws<ConfigurationException>(() => AuthSettings.Create(Load(line)));
        Assert.True(e.Message.Contains(key, StringComparison.Ordinal), $"{name}: {e.Message}");
    }

    [Theory]
    [InlineData("zero_fragments", "chatcluster.websocket.max-fragments = 0", "chatcluster.websocket.max-fragments")]
    [InlineData("negative_echo", "chatcluster.websocket.binary-echo-max-bytes = -1", "chatcluster.websocket.binary-echo-max-bytes")]
    public void Bad_websocket_guard_settings_should_fail_at_start_naming_the_key(string name, string line, string key)
    {
        var e = Assert.Throws<ConfigurationException>(() => ChatSettings.Create(Load(line)));
        Assert.True(e.Message.Contains(key, StringComparison.Ordinal), $"{name}: {e.Message}");
    }
}
