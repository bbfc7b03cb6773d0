using Akka.Configuration;
using ChatCluster.Node.Core;
using ChatCluster.Node.Hosting;

namespace ChatCluster.Tests.Operations;

/// <summary>Environment variables and --key=value arguments reach the settings; a wrong type fails naming the key.</summary>
public sealed class ConfigOverridesTests
{
    private static Config Load(IDictionary<string, string?> env, params string[] args) => NodeConfig.Load(
        NodeCommand.Parse(args, out _) with { ConfigFiles = new[] { "test.conf" }, Environment = env });

    private static readonly Dictionary<string, string?> NoEnv = new();

    [Fact]
    public void Environment_variables_should_reach_the_settings()
    {
        var config = Load(new Dictionary<string, string?>
        {
            ["chatcluster__tcp__port"] = "5005",
            ["chatcluster__websocket__ping_interval"] = "7s",
            ["chatcluster__rooms__presence_events"] = "on",
            ["akka__cluster__seed_nodes__0"] = "akka.tcp://chatcluster@10.0.0.1:4053",
            ["akka__cluster__seed_nodes__1"] = "akka.tcp://chatcluster@10.0.0.2:4053",
            ["akka__remote__dot_netty__tcp__public_hostname"] = "chat-1.chat",
            ["PATH"] = "/usr/bin",
        });
        var settings = ChatSettings.Create(config);
        Assert.Equal(5005, settings.TcpPort);
        Assert.Equal(TimeSpan.FromSeconds(7), settings.Transport.PingInterval);
        Assert.True(settings.PresenceEvents);
        Assert.Equal(new[] { "akka.tcp://chatcluster@10.0.0.1:4053", "akka.tcp://chatcluster@10.0.0.2:4053" }, config.GetStringList("akka.cluster.seed-nodes"));
        Assert.Equal("chat-1.chat", config.GetString("akka.remote.dot-netty.tcp.public-hostname"));
    }

    [Fact]
    public void Key_value_arguments_should_beat_the_environment_and_options_should_beat_both()
    {
        var env = new Dictionary<string, string?> { ["chatcluster__tcp__port"] = "5005", ["chatcluster__websocket__port"] = "8085" };
        var config = Load(env, "--chatcluster.tcp.port=6006", "--chatcluster:websocket:port=9009", "--web-port", "9100");
        var settings = ChatSettings.Create(config);
        Assert.Equal(6006, settings.TcpPort);
        Assert.Equal(9100, settings.WebPort);
    }

    [Fact]
    public void Without_overrides_the_files_decide()
    {
        var settings = ChatSettings.Create(Load(NoEnv));
        Assert.Equal(0, settings.TcpPort); // test.conf
    }

    [Fact]
    public void App_version_should_come_from_the_assembly_unless_configured()
    {
        Assert.Equal(NodeConfig.AppVersion(), Load(NoEnv).GetString("akka.cluster.app-version"));
        Assert.Matches(@"^\d+\.\d+\.\d+", NodeConfig.AppVersion());
        Assert.Equal("2.0.0", Load(new Dictionary<string, string?> { ["akka__cluster__app_version"] = "2.0.0" }).GetString("akka.cluster.app-version"));
    }

    public static TheoryData<string, string, string, string> WrongTypes => new()
    {
        // name, environment variable, value, expected message
        { "port that is not a number", "chatcluster__tcp__port", "abc", "chatcluster.tcp.port: expected a number, got \"abc\" (from environment variable chatcluster__tcp__port)" },
        { "switch that is not on/off", "chatcluster__tcp__enabled", "maybe", "chatcluster.tcp.enabled: expected on/off, got \"maybe\" (from environment variable chatcluster__tcp__enabled)" },
        { "duration without a unit", "chatcluster__close_timeout", "soon", "chatcluster.close-timeout: expected a duration (e.g. 500ms, 5s, 2m), got \"soon\" (from environment variable chatcluster__close_timeout)" },
        { "akka number", "akka__cluster__min_nr_of_members", "two", "akka.cluster.min-nr-of-members: expected a number, got \"two\"" },
        { "akka duration", "akka__cluster__failure_detector__acceptable_heartbeat_pause", "3", "akka.cluster.failure-detector.acceptable-heartbeat-pause: expected a duration" },
    };

    [Theory]
    [MemberData(nameof(WrongTypes))]
    public void A_wrong_type_should_fail_at_start_naming_the_key(string name, string variable, string value, string expected)
    {
        var e = Assert.Throws<ConfigurationException>(() => Load(new Dictionary<string, string?> { [variable] = value }));
        Assert.True(e.Message.StartsWith(expected, StringComparison.Ordinal), name + ": " + e.Message);
    }

    [Fact]
    public void An_unknown_chatcluster_key_should_fail_naming_it_but_a_token_map_entry_is_known()
    {
        var e = Assert.Throws<ConfigurationException>(() => Load(new Dictionary<string, string?> { ["chatcluster__tcp__prot"] = "5005" }));
        Assert.Equal("chatcluster.tcp.prot: no such setting (from environment variable chatcluster__tcp__prot); every setting is in hocon/base.conf", e.Message);
        var config = Load(new Dictionary<string, string?> { ["chatcluster__auth__tokens__alice"] = "s3cret" });
        Assert.Equal("s3cret", config.GetString("chatcluster.auth.tokens.alice"));
    }

    [Fact]
    public void An_environment_variable_in_capitals_should_work_too()
    {
        Assert.Equal(5005, ChatSettings.Create(Load(new Dictionary<string, string?> { ["CHATCLUSTER__TCP__PORT"] = "5005" })).TcpPort);
    }

    [Fact]
    public void A_wrong_type_in_an_argument_should_name_the_argument()
    {
        var e = Assert.Throws<ConfigurationException>(() => Load(NoEnv, "--chatcluster.websocket.ping-interval=fast"));
        Assert.Equal("chatcluster.websocket.ping-interval: expected a duration (e.g. 500ms, 5s, 2m), got \"fast\" (from --chatcluster.websocket.ping-interval)", e.Message);
    }

    [Fact]
    public void Help_should_still_list_the_options_and_the_override_forms()
    {
        var help = NodeCommand.Help();
        foreach (var option in new[] { "--tcp-port", "--management-port", "--log-format", "--public-hostname", "--chatcluster.KEY=VALUE", "chatcluster__tcp__port" })
            Assert.Contains(option, help);
    }

    [Fact]
    public void Public_hostname_should_set_akka_remoting_public_hostname()
    {
        Assert.Equal("chat-0.chat.svc", Load(NoEnv, "--public-hostname", "chat-0.chat.svc").GetString("akka.remote.dot-netty.tcp.public-hostname"));
    }
}
